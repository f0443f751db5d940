import type { Logger } from '../core/logger.js';
import type { HookEvent, Marker, RunMeta } from '../bundle/schema.js';
import type { SdkCatalogue } from '../catalogue/sdk-catalogue.js';
import { AgentEvent } from './agent-messages.js';
import { attribute } from './attribution.js';

/** The part of a BundleWriter instrumentation writes to. */
export interface EvidenceSink {
  readonly run: Readonly<RunMeta>;
  addEvent(event: Omit<HookEvent, 'id'>): unknown;
  addMarker(marker: Omit<Marker, 'id'>): unknown;
  updateRun(patch: Partial<RunMeta>): void;
}

/**
 * An Activity pausing and the next one resuming a few ms later is a move inside the app, not a
 * trip to the background; only a pause with no resume within this grace counts.
 */
const BACKGROUND_GRACE_MS = 700;

/**
 * Turns agent batches into bundle evidence: each event validated (untrusted: it comes from inside
 * the app's process), converted from device to host time, attributed from its stack, written as
 * a HookEvent; lifecycle events also become app.foreground / app.background markers.
 */
export class AgentEventRecorder {
  private foreground = false;
  private pendingBackground: { tDevice: number; component: string; pid: number } | undefined;
  private invalid = 0;
  private dropped = 0;
  readonly counts = { events: 0 };

  constructor(
    private readonly options: { sink: EvidenceSink; packageName: string; sdks: SdkCatalogue; logger: Logger },
  ) {}

  private get offset(): number {
    return this.options.sink.run.device.clockOffsetMs ?? 0;
  }

  private hostTime(tDevice: number): number {
    return Math.max(0, tDevice + this.offset);
  }

  record(pid: number, processName: string, rawEvents: unknown[], dropped: number): void {
    const { sink, packageName, sdks, logger } = this.options;
    for (const raw of rawEvents) {
      const parsed = AgentEvent.safeParse(raw);
      if (!parsed.success) {
        this.invalid += 1;
        if (this.invalid <= 5) logger.warn({ pid, issue: parsed.error.issues[0] }, 'agent sent an invalid event; skipped');
        continue;
      }
      const e = parsed.data;
      this.settleBackground(e.tWall);
      sink.addEvent({
        t: this.hostTime(e.tWall),
        tDevice: e.tWall,
        ...(e.monotonicNs !== undefined ? { monotonicNs: e.monotonicNs } : {}),
        dataType: e.dataType,
        api: e.api,
        ...(e.overload !== undefined ? { overload: e.overload } : {}),
        args: e.args,
        ...(e.ret !== undefined ? { ret: e.ret } : {}),
        outcome: e.outcome,
        ...(e.thread !== undefined ? { thread: e.thread } : {}),
        stack: e.stack,
        pid,
        process: processName,
        ...(e.sampled ? { sampled: e.sampled } : {}),
        ...(e.permissions ? { permissions: e.permissions } : {}),
        attribution: attribute(e.stack, packageName, sdks),
      });
      this.counts.events += 1;
      if (e.lifecycle) this.lifecycle(pid, e.tWall, e.lifecycle.state, e.lifecycle.component);
    }
    if (dropped > 0) {
      this.dropped += dropped;
      sink.addMarker({
        t: this.hostTime(Date.now() - this.offset),
        kind: 'note',
        label: `the agent in process ${processName} dropped ${dropped} events (its queue was full)`,
        data: { pid, dropped, source: 'instrumentation' },
      });
    }
  }

  /** Problems to state in the run's coverage note. */
  problems(): string[] {
    const out: string[] = [];
    if (this.invalid) out.push(`${this.invalid} invalid agent events skipped`);
    if (this.dropped) out.push(`${this.dropped} events dropped by the agent`);
    return out;
  }

  /** Emits a background transition still waiting for its grace period (at stop, or on a timer). */
  flushLifecycle(force: boolean, nowDevice = Date.now() - this.offset): void {
    const p = this.pendingBackground;
    if (!p) return;
    if (!force && nowDevice - p.tDevice < BACKGROUND_GRACE_MS) return;
    this.pendingBackground = undefined;
    this.foreground = false;
    this.options.sink.addMarker({
      t: this.hostTime(p.tDevice),
      kind: 'app.background',
      label: `the app went to the background (${p.component} paused)`,
      data: { pid: p.pid, activity: p.component, source: 'instrumentation' },
    });
  }

  private settleBackground(tDevice: number): void {
    if (this.pendingBackground && tDevice - this.pendingBackground.tDevice >= BACKGROUND_GRACE_MS) this.flushLifecycle(true);
  }

  private lifecycle(pid: number, tDevice: number, state: string, component: string): void {
    if (state === 'background') {
      if (this.foreground) this.pendingBackground ??= { tDevice, component, pid };
      return;
    }
    if (state !== 'foreground') return;
    if (this.pendingBackground && tDevice - this.pendingBackground.tDevice < BACKGROUND_GRACE_MS) {
      this.pendingBackground = undefined;
      return;
    }
    if (this.foreground) return;
    this.foreground = true;
    this.options.sink.addMarker({
      t: this.hostTime(tDevice),
      kind: 'app.foreground',
      label: `the app came to the foreground (${component})`,
      data: { pid, activity: component, source: 'instrumentation' },
    });
  }
}

import type { Logger } from '../core/logger.js';
import type { HookEvent, Marker, RunMeta } from '../bundle/schema.js';
import type { SdkCatalogue } from '../catalogue/sdk-catalogue.js';
import { checkAgentEvent } from './agent-event-check.js';
import { attribute } from './attribution.js';

/** The part of a BundleWriter instrumentation writes to. */
export interface EvidenceSink {
  readonly run: Readonly<RunMeta>;
  addEvent(event: Omit<HookEvent, 'id'>): unknown;
  /**
   * BundleWriter.appendTrusted: appends a record without validating it again. The recorder uses
   * it when present, because every event it builds is already checked (the agent's fields at
   * the boundary, its own fields by construction); otherwise it falls back to addEvent.
   */
  appendTrusted?(stream: 'events', record: Omit<HookEvent, 'id'>): unknown;
  addMarker(marker: Omit<Marker, 'id'>): unknown;
  updateRun(patch: Partial<RunMeta>): void;
}

/** HookEvent.process is at most 300 characters; a process name is the device's to choose. */
const MAX_PROCESS_NAME = 300;

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
    const process = processName.length > MAX_PROCESS_NAME ? processName.slice(0, MAX_PROCESS_NAME) : processName;
    const offset = this.offset;
    for (const raw of rawEvents) {
      const checked = checkAgentEvent(raw);
      // tDevice + offset must stay a finite time for the bundle (HookEvent.t).
      if (!checked.ok || !Number.isFinite(checked.event.tWall + offset)) {
        this.invalid += 1;
        const issue = checked.ok ? { field: 'tWall', problem: 'out of range after the clock offset' } : { field: checked.field, problem: checked.problem };
        if (this.invalid <= 5) logger.warn({ pid, issue }, 'agent sent an invalid event; skipped');
        continue;
      }
      const e = checked.event;
      this.settleBackground(e.tWall);
      // Built field by field, in the schema's order: every value is checked above or ours.
      const event: Omit<HookEvent, 'id'> = { t: Math.max(0, e.tWall + offset), tDevice: e.tWall } as Omit<HookEvent, 'id'>;
      if (e.monotonicNs !== undefined) event.monotonicNs = e.monotonicNs;
      event.dataType = e.dataType;
      event.api = e.api;
      if (e.overload !== undefined) event.overload = e.overload;
      event.args = e.args;
      if (e.ret !== undefined) event.ret = e.ret;
      event.outcome = e.outcome;
      if (e.thread !== undefined) event.thread = e.thread;
      event.stack = e.stack;
      event.pid = pid;
      event.process = process;
      if (e.sampled) event.sampled = e.sampled;
      if (e.permissions) event.permissions = e.permissions;
      event.attribution = attribute(e.stack, packageName, sdks);
      if (sink.appendTrusted) sink.appendTrusted('events', event);
      else sink.addEvent(event);
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

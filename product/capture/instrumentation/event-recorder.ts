import type { Logger } from '../../core/logger.js';
import type { HookEvent, Marker, RunMeta } from '../../contracts/bundle-schema.js';
import type { SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { AgentOptions } from '../../contracts/agent-config.js';
import type { AgentEvent } from '../../contracts/agent-messages.js';
import { checkAgentEvent } from './agent-event-check.js';
import { attribute } from './stack-attribution.js';
import { internStack, StackTable, type InternedStack, type StackTableLimits } from './stack-table.js';

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
  /**
   * BundleWriter.appendTrustedLine: appendTrusted with the line already built, as the JSON of
   * the fields before `stack` (no closing brace) and the rest, mostly text cached per stack.
   * Preferred over appendTrusted when present; `record` is the same event as an object.
   */
  appendTrustedLine?(stream: 'events', record: Omit<HookEvent, 'id'>, head: string, tail: Uint8Array | string): unknown;
  addMarker(marker: Omit<Marker, 'id'>): unknown;
  updateRun(patch: Partial<RunMeta>): void;
}

const DEFAULT_AGENT_OPTIONS = AgentOptions.parse({});

/** One `events` message of an agent (agent-messages.ts), envelope already validated. */
export interface AgentBatch {
  events: readonly unknown[];
  dropped: number;
  /** Stack definitions, each checked by the channel's table. */
  stacks?: readonly unknown[];
}

export interface AgentChannel {
  /** One message of this agent: its stack definitions first, then its events. */
  receive(batch: AgentBatch): void;
}

interface ChannelState {
  pid: number;
  processName: string;
  process: string;
  /** `,"pid":…,"process":…` as it appears in every line of this channel. */
  processJson: string;
  table: StackTable;
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
 *
 * Stacks arrive interned (stack-table.ts): one channel per agent instance keeps the stacks that
 * agent defined, each validated, attributed and serialised once. The bundle does not change:
 * every HookEvent line carries its full stack, built from the cached text when the sink takes
 * trusted lines (BundleWriter.appendTrustedLine).
 */
export class AgentEventRecorder {
  private foreground = false;
  private pendingBackground: { tDevice: number; component: string; pid: number } | undefined;
  private invalid = 0;
  private dropped = 0;
  private refusedStacks = 0;
  private readonly stackLimits: StackTableLimits;
  readonly counts = { events: 0 };

  constructor(
    private readonly options: {
      sink: EvidenceSink;
      packageName: string;
      sdks: SdkCatalogue;
      logger: Logger;
      /** Per channel; the bounds the host sent the agent (AgentOptions stackTable*). */
      stackLimits?: StackTableLimits;
    },
  ) {
    this.stackLimits = options.stackLimits ?? { maxStacks: DEFAULT_AGENT_OPTIONS.stackTableMaxStacks, maxChars: DEFAULT_AGENT_OPTIONS.stackTableMaxChars };
  }

  private get offset(): number {
    return this.options.sink.run.device.clockOffsetMs ?? 0;
  }

  private hostTime(tDevice: number): number {
    return Math.max(0, tDevice + this.offset);
  }

  /**
   * A channel for one agent instance (one loaded script): its stack table lives as long as the
   * channel, so open one per script and feed it every `events` message that script sends.
   */
  openChannel(pid: number, processName: string): AgentChannel {
    const process = processName.length > MAX_PROCESS_NAME ? processName.slice(0, MAX_PROCESS_NAME) : processName;
    const { packageName, sdks } = this.options;
    const table = new StackTable(this.stackLimits, (frames) => attribute(frames, packageName, sdks));
    const state: ChannelState = { pid, processName, process, processJson: `,"pid":${pid},"process":${JSON.stringify(process)}`, table };
    return { receive: (batch) => this.receive(state, batch) };
  }

  /**
   * One message's events on a channel of its own: stack ids defined in `stacks` hold for this
   * call only. For a live agent use openChannel.
   */
  record(pid: number, processName: string, rawEvents: readonly unknown[], dropped: number, stacks?: readonly unknown[]): void {
    this.openChannel(pid, processName).receive({ events: rawEvents, dropped, ...(stacks ? { stacks } : {}) });
  }

  private receive(channel: ChannelState, batch: AgentBatch): void {
    const { sink, packageName, sdks, logger } = this.options;
    const { pid, processName, process, table } = channel;
    // Definitions first: they are for the events of this very message.
    if (batch.stacks) {
      for (const raw of batch.stacks) {
        const defined = table.define(raw);
        if (defined.ok) continue;
        this.refusedStacks += 1;
        if (this.refusedStacks <= 5) logger.warn({ pid, problem: defined.problem }, 'agent sent a stack definition the host refuses; events using it are skipped');
      }
    }
    const offset = this.offset;
    // Only a sink that takes the line as text gets it built; the others build their own.
    const json = sink.appendTrustedLine !== undefined;
    for (const raw of batch.events) {
      const checked = checkAgentEvent(raw);
      let issue: { field: string; problem: string } | undefined;
      let stack: InternedStack | undefined;
      if (!checked.ok) issue = { field: checked.field, problem: checked.problem };
      // tDevice + offset must stay a finite time for the bundle (HookEvent.t).
      else if (!Number.isFinite(checked.event.tWall + offset)) issue = { field: 'tWall', problem: 'out of range after the clock offset' };
      else if (checked.event.stack !== undefined) stack = inlineStack(checked.event.stack, packageName, sdks, json);
      else if ((stack = table.get(checked.event.stackId!)) === undefined) issue = { field: 'stackId', problem: `no stack ${checked.event.stackId} defined on this channel` };
      if (issue || !checked.ok || !stack) {
        this.invalid += 1;
        if (this.invalid <= 5) logger.warn({ pid, issue }, 'agent sent an invalid event; skipped');
        continue;
      }
      const e = checked.event;
      this.settleBackground(e.tWall);
      const event = hookEventHead(e, offset);
      // The fields so far as JSON, before the stack's: the rest of the line is mostly cached text.
      const head = json ? JSON.stringify(event) : '';
      completeHookEvent(event, e, stack, pid, process);
      if (json) sink.appendTrustedLine!('events', event, head.slice(0, -1), lineTail(stack, channel.processJson, event, e.stackId !== undefined));
      else if (sink.appendTrusted) sink.appendTrusted('events', event);
      else sink.addEvent(event);
      this.counts.events += 1;
      if (e.lifecycle) this.lifecycle(pid, e.tWall, e.lifecycle.state, e.lifecycle.component);
    }
    if (batch.dropped > 0) {
      this.dropped += batch.dropped;
      sink.addMarker({
        t: this.hostTime(Date.now() - this.offset),
        kind: 'note',
        label: `the agent in process ${processName} dropped ${batch.dropped} events (its queue was full)`,
        data: { pid, dropped: batch.dropped, source: 'instrumentation' },
      });
    }
  }

  /** Problems to state in the run's coverage note. */
  problems(): string[] {
    const out: string[] = [];
    if (this.invalid) out.push(`${this.invalid} invalid agent events skipped`);
    if (this.dropped) out.push(`${this.dropped} events dropped by the agent`);
    if (this.refusedStacks) out.push(`${this.refusedStacks} agent stack definitions refused`);
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

/**
 * A HookEvent's fields up to `thread` (those before `stack`), built field by field in the
 * schema's order from a checked agent event: every value is checked or ours.
 */
export function hookEventHead(e: AgentEvent, offset: number): Omit<HookEvent, 'id'> {
  const event = { t: Math.max(0, e.tWall + offset), tDevice: e.tWall } as Omit<HookEvent, 'id'>;
  if (e.monotonicNs !== undefined) event.monotonicNs = e.monotonicNs;
  event.dataType = e.dataType;
  event.api = e.api;
  if (e.overload !== undefined) event.overload = e.overload;
  event.args = e.args;
  if (e.ret !== undefined) event.ret = e.ret;
  event.outcome = e.outcome;
  if (e.thread !== undefined) event.thread = e.thread;
  return event;
}

/** The rest of the HookEvent, in the order lineTail writes it. */
export function completeHookEvent(event: Omit<HookEvent, 'id'>, e: AgentEvent, stack: InternedStack, pid: number, process: string): void {
  event.stack = stack.frames as string[];
  event.pid = pid;
  event.process = process;
  if (e.sampled) event.sampled = e.sampled;
  if (e.permissions) event.permissions = e.permissions;
  event.attribution = stack.attribution;
}

/** An inline stack (no interning, or the agent's table is full): the per-event path. */
function inlineStack(frames: readonly string[], packageName: string, sdks: SdkCatalogue, json: boolean): InternedStack {
  const attribution = attribute(frames, packageName, sdks);
  return json ? internStack(frames, attribution) : { frames, attribution, framesJson: '', attributionJson: '' };
}

/**
 * The event's line after its head, as appendTrusted would write it (JSON.stringify of the event,
 * keys in the order completeHookEvent adds them), without the id the writer appends. For the
 * usual event (no `sampled`, no `permissions`) it depends on the stack and the channel only, so
 * it is encoded once per interned stack (an inline stack is used once: its tail stays text).
 * event-line.test.ts holds the lines equal, byte for byte.
 */
export function lineTail(stack: InternedStack, processJson: string, event: Pick<HookEvent, 'sampled' | 'permissions'>, interned: boolean): Uint8Array | string {
  if (interned && event.sampled === undefined && event.permissions === undefined) return (stack.lineTail ??= Buffer.from(tailText(stack, processJson, event)));
  return tailText(stack, processJson, event);
}

function tailText(stack: InternedStack, processJson: string, event: Pick<HookEvent, 'sampled' | 'permissions'>): string {
  let json = `,"stack":${stack.framesJson}${processJson}`;
  if (event.sampled) json += `,"sampled":${JSON.stringify(event.sampled)}`;
  if (event.permissions) json += `,"permissions":${JSON.stringify(event.permissions)}`;
  return `${json},"attribution":${stack.attributionJson}`;
}

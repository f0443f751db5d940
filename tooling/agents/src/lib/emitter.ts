import type { AgentEvent, AgentOptions } from '../../../../product/contracts/agent-protocol.js';

/** What the emitter wants for a call: record it, keep it as the window's summary, or only count it. */
export type Admission = 'keep' | 'summary' | 'count';

interface Window {
  start: number;
  kept: number;
  counted: number;
  summary: AgentEvent | undefined;
}

export interface EmitterHost {
  send(events: AgentEvent[], dropped: number): void;
  setTimeout(fn: () => void, ms: number): unknown;
  now(): number;
}

/**
 * Rate control. Calls are admitted per API key in fixed windows: the first
 * `sampleKeepPerWindow` are recorded one by one, the rest are counted and folded into one
 * `sampled` event when the window closes, so a storm costs one event, never silence. Events are
 * batched (flushed every `batchFlushMs` or at `batchMaxEvents`) and `send()` never waits on the
 * host, so a hook never blocks the app. Past `maxQueuedEvents` events are dropped and the drop
 * count travels with the next batch.
 */
export class EventEmitter {
  private readonly windows = new Map<string, Window>();
  private queue: AgentEvent[] = [];
  private dropped = 0;
  private timerArmed = false;

  constructor(
    private readonly options: AgentOptions,
    private readonly host: EmitterHost,
  ) {}

  admit(key: string): Admission {
    const now = this.host.now();
    let w = this.windows.get(key);
    if (w && now - w.start >= this.options.sampleWindowMs) {
      this.closeWindow(w);
      w = undefined;
    }
    if (!w) {
      w = { start: now, kept: 0, counted: 0, summary: undefined };
      this.windows.set(key, w);
    }
    if (w.kept < this.options.sampleKeepPerWindow) {
      w.kept += 1;
      return 'keep';
    }
    w.counted += 1;
    this.arm();
    return w.counted === 1 ? 'summary' : 'count';
  }

  /** Records an admitted call: a kept event is queued, a summary waits for its window to close. */
  record(key: string, admission: Admission, event: AgentEvent): void {
    if (admission === 'keep') this.enqueue(event);
    else if (admission === 'summary') {
      const w = this.windows.get(key);
      if (w) w.summary = event;
    }
  }

  flush(): void {
    const now = this.host.now();
    for (const [key, w] of this.windows) {
      if (now - w.start >= this.options.sampleWindowMs) {
        this.closeWindow(w);
        this.windows.delete(key);
      }
    }
    this.sendQueue();
  }

  /** Closes every window now (script unload): counted calls are reported, not lost. */
  drain(): void {
    for (const w of this.windows.values()) this.closeWindow(w);
    this.windows.clear();
    this.sendQueue();
  }

  private closeWindow(w: Window): void {
    if (w.counted > 0 && w.summary) {
      this.enqueue({ ...w.summary, sampled: { count: w.counted, windowMs: this.options.sampleWindowMs } });
    }
    w.counted = 0;
    w.summary = undefined;
  }

  private enqueue(event: AgentEvent): void {
    if (this.queue.length >= this.options.maxQueuedEvents) {
      this.dropped += 1;
      return;
    }
    this.queue.push(event);
    if (this.queue.length >= this.options.batchMaxEvents) this.sendQueue();
    else this.arm();
  }

  private sendQueue(): void {
    if (this.queue.length === 0 && this.dropped === 0) return;
    const batch = this.queue;
    const dropped = this.dropped;
    this.queue = [];
    this.dropped = 0;
    this.host.send(batch, dropped);
  }

  private arm(): void {
    if (this.timerArmed) return;
    this.timerArmed = true;
    this.host.setTimeout(() => {
      this.timerArmed = false;
      this.flush();
      if (this.queue.length > 0 || [...this.windows.values()].some((w) => w.counted > 0)) this.arm();
    }, this.options.batchFlushMs);
  }
}

import type { AgentEvent, StackDefinition, WireEvent } from '../../../../product/contracts/agent-protocol.js';

export interface StackTableLimits {
  /** Distinct stacks the table may hold; 0 turns interning off (every stack inline). */
  maxStacks: number;
  /** Sum of the held stacks' frame lengths (UTF-16 units, what `String.length` counts on both sides). */
  maxChars: number;
}

/**
 * Stack interning on the agent channel. Java stacks repeat heavily (the same call sites call the
 * same hooked APIs) and are most of each event's bytes, so each distinct stack travels once: the
 * first batch that uses it carries `{ id, frames }` in the message's `stacks`, and every event
 * carries `stackId`. Interning happens when a batch is sent, so a definition always rides in the
 * same message as the first event that uses it (a `sampled` summary queued long after its stack
 * was taken included).
 *
 * Bounded by `limits`, which the host sent in its config and enforces on its side too. When the
 * table is full the agent sends stacks it has not defined inline, as before interning; it never
 * evicts. Why not evict: the host would have to mirror every eviction in lock-step, and an
 * eviction it missed would turn later events into references to stacks it no longer has. Inline
 * costs bytes, never evidence.
 */
export class StackInterner {
  private readonly ids = new Map<string, number>();
  private chars = 0;

  constructor(private readonly limits: StackTableLimits) {}

  get size(): number {
    return this.ids.size;
  }

  /** The events as they travel, and the definitions the host has not had yet. */
  intern(events: readonly AgentEvent[]): { events: WireEvent[]; stacks: StackDefinition[] } {
    const stacks: StackDefinition[] = [];
    const out: WireEvent[] = [];
    for (const event of events) {
      const { stack, ...rest } = event;
      const id = this.idFor(stack, stacks);
      out.push(id === undefined ? { ...rest, stack } : { ...rest, stackId: id });
    }
    return { events: out, stacks };
  }

  private idFor(frames: string[], definitions: StackDefinition[]): number | undefined {
    // JSON text as the key: unambiguous for any frame text (a separator could occur in a frame).
    const key = JSON.stringify(frames);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    if (this.ids.size >= this.limits.maxStacks) return undefined;
    let length = 0;
    for (const frame of frames) length += frame.length;
    if (this.chars + length > this.limits.maxChars) return undefined;
    const id = this.ids.size;
    this.ids.set(key, id);
    this.chars += length;
    definitions.push({ id, frames });
    return id;
  }
}

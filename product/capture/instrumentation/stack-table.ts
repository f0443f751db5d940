import type { Attribution } from '../../contracts/bundle-schema.js';
import { StackDefinition } from '../../contracts/agent-messages.js';

/**
 * The host's half of stack interning (tooling/agents/src/lib/stack-interner.ts is the agent's): the
 * stacks one agent instance (one loaded script) has defined, by id. Each definition is untrusted
 * input, validated ONCE with the same bounds as an inline stack (≤ 200 frames of ≤ 1000
 * characters); the table then keeps what every event using the stack needs, computed once:
 * the frames, the attribution (attribute() is pure) and both as JSON text for the bundle line.
 *
 * Bounded: ids must lie below `maxStacks` (the agent numbers them densely from 0, so the table
 * is an array), and the frames of all stacks held may not exceed `maxChars` characters. These
 * are the limits the host sent the agent in its config; an agent that keeps to them never gets a
 * refusal, and one that does not (a hostile app can rewrite the agent) cannot make the host hold
 * more. A refused definition is counted and reported; events that use its id are then invalid
 * events (counted, skipped). Nothing is evicted: an id, once defined, means one stack for the
 * rest of the channel's life, and a redefinition is refused.
 *
 * Memory: the frames, their JSON text and its UTF-8 encoding, ~3 bytes per frame character (up
 * to ~13 when the frames are made of characters JSON escapes), plus the attribution per stack.
 */

export interface StackTableLimits {
  maxStacks: number;
  maxChars: number;
}

export interface InternedStack {
  readonly frames: readonly string[];
  readonly attribution: Attribution;
  /** JSON.stringify(frames). */
  readonly framesJson: string;
  /** JSON.stringify(attribution). */
  readonly attributionJson: string;
  /**
   * The recorder's cache: the encoded end of an event line using this stack (its channel's
   * pid and process included, which is why the table is per channel).
   */
  lineTail?: Uint8Array;
}

export type DefineResult = { ok: true; id: number } | { ok: false; problem: string };

export class StackTable {
  private readonly stacks: (InternedStack | undefined)[] = [];
  private held = 0;
  private chars = 0;

  constructor(
    private readonly limits: StackTableLimits,
    private readonly attribute: (frames: readonly string[]) => Attribution,
  ) {}

  get size(): number {
    return this.held;
  }

  get heldChars(): number {
    return this.chars;
  }

  define(raw: unknown): DefineResult {
    const parsed = StackDefinition.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, problem: `invalid stack definition: ${issue?.path.join('.') || '(definition)'}: ${issue?.message ?? 'rejected'}` };
    }
    const { id, frames } = parsed.data;
    if (id >= this.limits.maxStacks) return { ok: false, problem: `stack id ${id} beyond the table's ${this.limits.maxStacks} stacks` };
    if (this.stacks[id] !== undefined) return { ok: false, problem: `stack id ${id} defined twice` };
    let length = 0;
    for (const frame of frames) length += frame.length;
    if (this.chars + length > this.limits.maxChars) return { ok: false, problem: `stack ${id} would exceed the table's ${this.limits.maxChars} characters` };
    this.stacks[id] = internStack(frames, this.attribute(frames));
    this.held += 1;
    this.chars += length;
    return { ok: true, id };
  }

  get(id: number): InternedStack | undefined {
    return this.stacks[id];
  }
}

/** The cached form of a stack: also what an inline stack gets, for one event. */
export function internStack(frames: readonly string[], attribution: Attribution): InternedStack {
  return { frames, attribution, framesJson: JSON.stringify(frames), attributionJson: JSON.stringify(attribution) };
}

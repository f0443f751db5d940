/**
 * Multi-pattern byte matcher (Aho-Corasick, 1975) compiled to a full DFA over byte classes.
 *
 * Why a DFA over classes: the scan loop is then one table load per byte (no failure-link
 * walking, no per-byte allocation). Bytes that occur in no pattern share class 0, so the table
 * stays narrow (~70 columns for hex/base64/decimal patterns) and fits in cache far better than
 * 256 columns. States are stored pre-multiplied by the class count, so the loop needs no
 * multiplication either.
 *
 * Matching is exact and case-sensitive: case variants are expanded into patterns up front.
 */

export interface MatchCallback {
  /** `end` is the offset just past the match, counted from the start of the stream. */
  (pattern: number, end: number): void;
}

export class AhoCorasick {
  readonly patternCount: number;
  /** Pattern lengths in bytes, by pattern id. */
  readonly lengths: Int32Array;
  /** Number of DFA states. */
  readonly stateCount: number;
  private readonly classOf: Uint8Array;
  private readonly width: number;
  /**
   * delta[state*width + class] = next state * width, bit-inverted (negative) when the next
   * state reports a match: the hot loop then needs a single sign test per byte.
   */
  private readonly delta: Int32Array;
  /** Per state (by index, not pre-multiplied): first slot in outputs, or -1 when the state reports nothing. */
  private readonly outStart: Int32Array;
  /** Flattened output lists: pattern ids, each list terminated by -1. */
  private readonly outputs: Int32Array;

  constructor(patterns: readonly Uint8Array[]) {
    this.patternCount = patterns.length;
    this.lengths = Int32Array.from(patterns, (p) => p.length);
    if (patterns.some((p) => p.length === 0)) throw new RangeError('Aho-Corasick: empty pattern');

    // Byte classes: one per distinct byte used by some pattern, 0 for all others.
    const classOf = new Uint8Array(256);
    let classes = 1;
    for (const p of patterns) {
      for (const b of p) if (classOf[b] === 0) classOf[b] = classes++;
    }
    if (classes > 255) {
      // More than 254 distinct bytes: fall back to identity classes (still correct).
      for (let b = 0; b < 256; b += 1) classOf[b] = b;
      classes = 256;
    }
    const width = classes;

    // Trie, with -1 for "no edge". Upper bound on states: total pattern bytes + root.
    let maxStates = 1;
    for (const p of patterns) maxStates += p.length;
    const go = new Int32Array(maxStates * width).fill(-1);
    const own: number[][] = [[]];
    let states = 1;
    patterns.forEach((p, id) => {
      let s = 0;
      for (const b of p) {
        const slot = s * width + classOf[b]!;
        let next = go[slot]!;
        if (next < 0) {
          next = states++;
          go[slot] = next;
          own.push([]);
        }
        s = next;
      }
      own[s]!.push(id);
    });

    // Breadth-first: failure links, completed transitions, inherited outputs.
    const fail = new Int32Array(states);
    const delta = new Int32Array(states * width);
    const out: number[][] = new Array<number[]>(states);
    out[0] = own[0]!;
    const queue = new Int32Array(states);
    let head = 0;
    let tail = 0;
    for (let c = 0; c < width; c += 1) {
      const next = go[c]!;
      if (next > 0) {
        fail[next] = 0;
        delta[c] = next * width;
        queue[tail++] = next;
      } else {
        delta[c] = 0;
      }
    }
    while (head < tail) {
      const s = queue[head++]!;
      const f = fail[s]!;
      out[s] = own[s]!.length > 0 ? own[s]!.concat(out[f]!) : out[f]!;
      for (let c = 0; c < width; c += 1) {
        const next = go[s * width + c]!;
        if (next >= 0) {
          fail[next] = delta[f * width + c]! / width;
          delta[s * width + c] = next * width;
          queue[tail++] = next;
        } else {
          delta[s * width + c] = delta[f * width + c]!;
        }
      }
    }

    const outStart = new Int32Array(states).fill(-1);
    const flat: number[] = [];
    for (let s = 0; s < states; s += 1) {
      const list = out[s]!;
      if (list.length === 0) continue;
      outStart[s] = flat.length;
      flat.push(...list, -1);
    }
    for (let i = 0; i < delta.length; i += 1) {
      const target = delta[i]!;
      if (outStart[target / width]! >= 0) delta[i] = ~target;
    }

    this.classOf = classOf;
    this.width = width;
    this.delta = delta;
    this.outStart = outStart;
    this.outputs = Int32Array.from(flat);
    this.stateCount = states;
  }

  /**
   * Scans `bytes` starting in `state` (pre-multiplied; 0 = start) and returns the state to
   * resume from with the next chunk. `base` is the stream offset of bytes[0].
   */
  scan(bytes: Uint8Array, onMatch: MatchCallback, state = 0, base = 0): number {
    const { classOf, delta, outStart, outputs, width } = this;
    let s = state;
    const n = bytes.length;
    for (let i = 0; i < n; i += 1) {
      s = delta[s + classOf[bytes[i]!]!]!;
      if (s < 0) {
        s = ~s;
        for (let k = outStart[s / width]!; outputs[k]! >= 0; k += 1) onMatch(outputs[k]!, base + i + 1);
      }
    }
    return s;
  }

  /** True when any pattern occurs in `bytes` (stops at the first). */
  test(bytes: Uint8Array): boolean {
    const { classOf, delta } = this;
    let s = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      s = delta[s + classOf[bytes[i]!]!]!;
      if (s < 0) return true;
    }
    return false;
  }

  /** A streaming scanner: feed chunks in order, matches carry stream offsets. */
  stream(onMatch: MatchCallback): MatchStream {
    return new MatchStream(this, onMatch);
  }
}

export class MatchStream {
  private state = 0;
  private offset = 0;

  constructor(
    private readonly automaton: AhoCorasick,
    private readonly onMatch: MatchCallback,
  ) {}

  write(chunk: Uint8Array): void {
    this.state = this.automaton.scan(chunk, this.onMatch, this.state, this.offset);
    this.offset += chunk.length;
  }

  /** Bytes consumed so far. */
  get position(): number {
    return this.offset;
  }
}

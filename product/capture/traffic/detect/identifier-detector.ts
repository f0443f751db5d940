import type { DeviceIdentifiers, IdentifierHit } from '../../../contracts/bundle-schema.js';
import { AhoCorasick } from './aho-corasick.js';
import { bodyKind, bodyLeaves, type BodyLeaf } from './body-structure.js';
import { createLayerBudget, mayHoldEncodedDocument } from './encoded-layers.js';
import { expandIdentifierForms, type Boundary, type IdentifierForm } from './identifier-forms.js';
import { layerSources, scanLayers, type LayerContext } from './layer-scan.js';
import { cookieLeaves, urlLeaves } from './request-leaves.js';

export { cookieLeaves, urlLeaves };

/**
 * Finds the device's identifiers in what an app sent. One automaton holds every form of every
 * identifier; each location of a request (URL, each header, cookies, body, WebSocket message)
 * is a *container* scanned in one pass, chunk by chunk, with memory bounded by the longest
 * pattern. Only when a container has a hit (or is a URL, which is short) is it parsed into
 * leaves (query fields, JSON paths, protobuf fields...) to say precisely where the hit was.
 * Leaves and whole containers that are base64/hex of a document are decoded and scanned as
 * layers of their own (./layer-scan.ts), within one budget per request.
 */

export interface RequestContent {
  url?: string;
  headers?: readonly (readonly [string, string])[];
  body?: { bytes: Uint8Array; contentType?: string | undefined };
  /** Messages the client sent over a WebSocket, in order. */
  websocket?: readonly Uint8Array[];
}

export class IdentifierDetector {
  readonly forms: readonly IdentifierForm[];
  readonly matcher: AhoCorasick;
  /** Pattern id → the forms that spell exactly that text under that boundary rule. */
  readonly formsByPattern: readonly (readonly IdentifierForm[])[];
  readonly boundaries: readonly Boundary[];
  readonly maxPatternLength: number;

  constructor(forms: readonly IdentifierForm[]) {
    this.forms = forms;
    const index = new Map<string, number>();
    const grouped: IdentifierForm[][] = [];
    const boundaries: Boundary[] = [];
    const texts: Uint8Array[] = [];
    for (const form of forms) {
      const key = `${form.boundary}\u0000${form.text}`;
      let id = index.get(key);
      if (id === undefined) {
        id = grouped.length;
        index.set(key, id);
        grouped.push([]);
        boundaries.push(form.boundary);
        texts.push(Buffer.from(form.text, 'utf8'));
      }
      grouped[id]!.push(form);
    }
    this.formsByPattern = grouped;
    this.boundaries = boundaries;
    this.matcher = new AhoCorasick(texts);
    this.maxPatternLength = texts.reduce((m, t) => Math.max(m, t.length), 0);
  }

  static fromIdentifiers(identifiers: DeviceIdentifiers): IdentifierDetector {
    return new IdentifierDetector(expandIdentifierForms(identifiers));
  }

  get isEmpty(): boolean {
    return this.forms.length === 0;
  }

  /** A streaming scan of one container (e.g. "body", "ws:3"). */
  container(location: string): ContainerScan {
    return new ContainerScan(this, location);
  }

  /**
   * Scans one byte sequence, non-streaming (a leaf, a candidate): both neighbours of a match
   * are in `bytes`, so no tail is kept. Returns accepted pattern ids with their first span.
   */
  scanBytes(bytes: Uint8Array): Map<number, Span> {
    const accepted = new Map<number, Span>();
    this.matcher.scan(bytes, (pattern, end) => {
      if (accepted.has(pattern)) return;
      const start = end - this.matcher.lengths[pattern]!;
      const before = start > 0 ? bytes[start - 1]! : -1;
      const after = end < bytes.length ? bytes[end]! : -1;
      if (acceptBoundary(this.boundaries[pattern]!, this.formsByPattern[pattern]![0]!.text, before, after)) accepted.set(pattern, { start, end });
    });
    return accepted;
  }

  /** Every hit in what the client sent: URL, headers, cookies, body, WebSocket messages. */
  scanRequest(content: RequestContent): IdentifierHit[] {
    if (this.isEmpty) return [];
    const hits: IdentifierHit[] = [];
    // One decoding budget for the whole request: a hostile request cannot multiply it by parts.
    const layers: LayerContext = { budget: createLayerBudget(), depth: 0 };
    if (content.url) {
      const c = this.container('url');
      c.write(Buffer.from(content.url, 'utf8'));
      hits.push(...c.finish(() => urlLeaves(content.url!), { ...DECODED_LEAVES, layers }));
    }
    for (const [rawName, value] of content.headers ?? []) {
      const name = rawName.toLowerCase();
      if (name === 'cookie') {
        const c = this.container('cookie');
        c.write(Buffer.from(value, 'utf8'));
        hits.push(...c.finish(() => cookieLeaves(value), { ...DECODED_LEAVES, layers }));
      } else {
        const bytes = Buffer.from(value, 'utf8');
        const c = this.container(`header:${name}`);
        c.write(bytes);
        hits.push(...c.finish(undefined, { whole: bytes, layers }));
      }
    }
    if (content.body && content.body.bytes.length > 0) {
      const { bytes, contentType } = content.body;
      const c = this.container('body');
      c.write(bytes);
      const [leaves, options] = bodyRefinement(bytes, contentType);
      hits.push(...c.finish(leaves, { ...options, layers }));
    }
    (content.websocket ?? []).forEach((message, i) => {
      const c = this.container(`ws:${i}`);
      c.write(message);
      const [leaves, options] = bodyRefinement(message, undefined);
      hits.push(...c.finish(leaves, { ...options, layers }));
    });
    return dedupeHits(hits);
  }
}

export interface RefineOptions {
  /** Parse leaves even without a raw hit: the raw bytes may hide values (encodings, binary framing). */
  always?: boolean;
  /** `always` only to look for encoded payloads: without a raw hit, leaves are not scanned themselves. */
  leavesForLayers?: boolean;
  /** Leaves are decoded text: an encoded spelling found raw is the same value again. */
  decoded?: boolean;
  /** The container's own bytes, in case it is one encoded blob (a body, a header value). */
  whole?: Uint8Array;
  /** Decoded-layer search: the request's budget and depth (default: a fresh budget); false: none. */
  layers?: LayerContext | false;
}

const DECODED_LEAVES: RefineOptions = { always: true, decoded: true };

/**
 * How to look inside a body. Form fields may be percent-encoded twice; protobuf strings sit
 * right after a length byte that can look like a letter (so the raw pass rejects them),
 * coordinates travel as doubles, and a body with a base64/hex run that starts like an encoded
 * document may carry one: those are always parsed.
 */
export function bodyRefinement(bytes: Uint8Array, contentType: string | undefined): [() => BodyLeaf[], RefineOptions] {
  const kind = bodyKind(contentType, bytes);
  const byKind = kind === 'form' || kind === 'protobuf' || kind === 'grpc';
  const forLayers = !byKind && mayHoldEncodedDocument(bytes);
  return [() => bodyLeaves(kind, bytes, contentType), { always: byKind || forLayers, leavesForLayers: forLayers, decoded: kind === 'form', whole: bytes }];
}

/** Byte offsets of a match in its container or leaf. */
export interface Span {
  start: number;
  end: number;
}

interface Candidate {
  form: IdentifierForm;
  location: string;
  refined: boolean;
  /** Which byte sequence the span refers to: -1 the container, else the leaf index. */
  source: number;
  span: Span;
  /** Found in the still-encoded twin of a decoded leaf. */
  twin: boolean;
}

/**
 * The raw automaton pass with boundary checks across chunk edges: the byte before a match may
 * be in an earlier chunk (kept in a tail of maxPatternLength + 1 bytes), the byte after it in
 * the next chunk (the match waits in `pending`).
 */
class BoundaryScan {
  private tail: Uint8Array = new Uint8Array(0);
  private chunk: Uint8Array = new Uint8Array(0);
  private base = 0;
  private state = 0;
  private pending: { pattern: number; end: number }[] = [];
  /** Accepted patterns and where they first matched. */
  readonly accepted = new Map<number, Span>();

  constructor(private readonly detector: IdentifierDetector) {}

  write(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunk = chunk;
    if (this.pending.length > 0) {
      const after = chunk[0]!;
      for (const p of this.pending) this.judge(p.pattern, p.end, after);
      this.pending = [];
    }
    this.state = this.detector.matcher.scan(chunk, this.onMatch, this.state, this.base);
    this.remember(chunk);
    this.base += chunk.length;
  }

  finish(): Map<number, Span> {
    for (const p of this.pending) this.judge(p.pattern, p.end, -1);
    this.pending = [];
    return this.accepted;
  }

  private readonly onMatch = (pattern: number, end: number): void => {
    if (this.accepted.has(pattern)) return;
    const local = end - this.base;
    if (local < this.chunk.length) this.judge(pattern, end, this.chunk[local]!);
    else if (this.detector.boundaries[pattern] === 'decimal-prefix') this.judge(pattern, end, -1);
    else this.pending.push({ pattern, end });
  };

  private judge(pattern: number, end: number, after: number): void {
    const start = end - this.detector.matcher.lengths[pattern]!;
    const before = this.byteAt(start - 1);
    const text = this.detector.formsByPattern[pattern]![0]!.text;
    if (acceptBoundary(this.detector.boundaries[pattern]!, text, before, after)) this.accepted.set(pattern, { start, end });
  }

  private byteAt(pos: number): number {
    if (pos < 0) return -1;
    const local = pos - this.base;
    if (local >= 0) return this.chunk[local] ?? -1;
    const t = this.tail.length + local;
    return t >= 0 ? this.tail[t]! : -1;
  }

  private remember(chunk: Uint8Array): void {
    const keep = this.detector.maxPatternLength + 1;
    if (chunk.length >= keep) {
      this.tail = chunk.slice(chunk.length - keep);
    } else {
      const joined = new Uint8Array(Math.min(keep, this.tail.length + chunk.length));
      const fromTail = joined.length - chunk.length;
      joined.set(this.tail.subarray(this.tail.length - fromTail), 0);
      joined.set(chunk, fromTail);
      this.tail = joined;
    }
  }
}

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
const isAlnum = (b: number) => isDigit(b) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/**
 * Short and numeric values need context: "358240051111110" inside a longer run of digits is
 * another number, "39.90" inside "139.905" is not our latitude.
 */
export function acceptBoundary(boundary: Boundary, text: string, before: number, after: number): boolean {
  if (boundary === 'token') {
    if (isAlnum(text.charCodeAt(0)) && before >= 0 && isAlnum(before)) return false;
    if (isAlnum(text.charCodeAt(text.length - 1)) && after >= 0 && isAlnum(after)) return false;
    return true;
  }
  if (before >= 0 && (isDigit(before) || before === 0x2e || (before === 0x2d && !text.startsWith('-')))) return false;
  if (boundary === 'decimal-exact' && after >= 0 && isDigit(after)) return false;
  return true;
}

/** One container: the raw pass, then (if it found something) the leaves, then pairing. */
export class ContainerScan {
  private readonly raw: BoundaryScan;

  constructor(
    private readonly detector: IdentifierDetector,
    readonly location: string,
  ) {
    this.raw = new BoundaryScan(detector);
  }

  write(chunk: Uint8Array): void {
    this.raw.write(chunk);
  }

  /** Ends the raw pass; true when it found something (so the caller may load leaves). */
  settle(): boolean {
    return this.raw.finish().size > 0;
  }

  /**
   * Ends the container. `leaves` is only called when needed (raw hits, or `alwaysRefine`), so
   * bodies without identifiers are never parsed.
   */
  finish(leaves?: () => BodyLeaf[], options: RefineOptions = {}): IdentifierHit[] {
    const rawPatterns = this.raw.finish();
    const candidates: Candidate[] = [];
    for (const [p, span] of rawPatterns) {
      for (const form of this.detector.formsByPattern[p]!) candidates.push({ form, location: this.location, refined: false, source: -1, span, twin: false });
    }
    const leafList = leaves && (rawPatterns.size > 0 || options.always) ? leaves() : [];
    const scanLeaves = rawPatterns.size > 0 || !options.leavesForLayers;
    if (scanLeaves) leafList.forEach((leaf, index) => {
      for (const [p, span] of this.detector.scanBytes(leaf.bytes)) {
        for (const form of this.detector.formsByPattern[p]!) {
          candidates.push({ form, location: `${this.location}:${leaf.label}`, refined: true, source: index, span, twin: leaf.encodedTwin === true });
        }
      }
    });
    const hits = this.report(candidates, options);
    if (options.layers === false) return hits;
    const context = options.layers ?? { budget: createLayerBudget(), depth: 0 };
    const layered = scanLayers(this.detector, layerSources(this.location, options.whole, leafList), context);
    return layered.length > 0 ? dedupeHits([...hits, ...layered]) : hits;
  }

  /** Pairs coordinates, keeps the finest precision and the most precise location of each value. */
  private report(all: Candidate[], options: RefineOptions): IdentifierHit[] {
    if (all.length === 0) return [];
    const candidates = withoutRedundant(all);
    // A coordinate counts only when the other half of the same pair is in the same container.
    const halves = new Map<string, Set<string>>();
    for (const c of candidates) {
      if (!c.form.coordinate) continue;
      const set = halves.get(c.form.value) ?? new Set<string>();
      set.add(c.form.coordinate);
      halves.set(c.form.value, set);
    }
    // A raw hit that a leaf explains is reported at the leaf. Where leaves are decoded text
    // (URL query, cookies) the encoded spelling found in the raw pass is the same value again.
    const rawKey = options.decoded ? (f: IdentifierForm) => `${f.dataType}\u0000${f.value}` : formKey;
    const refinedKeys = new Set(candidates.filter((c) => c.refined).map((c) => rawKey(c.form)));
    // "39.904213" also starts with the 2- to 5-place truncations: report the finest only.
    const finest = new Map<string, number>();
    for (const c of candidates) {
      if (!c.form.coordinate) continue;
      const key = `${c.location}\u0000${c.form.value}\u0000${c.form.coordinate}`;
      finest.set(key, Math.max(finest.get(key) ?? 0, c.form.text.length));
    }
    const hits: IdentifierHit[] = [];
    for (const c of candidates) {
      if (c.form.coordinate) {
        if (halves.get(c.form.value)?.size !== 2) continue;
        if (finest.get(`${c.location}\u0000${c.form.value}\u0000${c.form.coordinate}`) !== c.form.text.length) continue;
      }
      if (!c.refined && refinedKeys.has(rawKey(c.form))) continue;
      hits.push({ dataType: c.form.dataType, form: coordinateForm(c.form), location: c.location, value: c.form.value });
    }
    return dedupeHits(hits);
  }
}

/**
 * One value sent once is one hit: drop a form whose match lies inside a longer match of the
 * same value in the same bytes (unpadded base64 inside padded), and what the still-encoded twin
 * of a decoded field shows when the decoded field already shows that value.
 */
function withoutRedundant(candidates: Candidate[]): Candidate[] {
  const sameValue = (a: Candidate, b: Candidate) => a.form.dataType === b.form.dataType && a.form.value === b.form.value && a.location === b.location;
  return candidates.filter((c) => {
    if (c.form.coordinate) return true; // coordinates have their own precision rule
    if (c.twin && candidates.some((o) => !o.twin && o.refined && sameValue(o, c))) return false;
    return !candidates.some(
      (o) =>
        o !== c &&
        !o.form.coordinate &&
        o.source === c.source &&
        sameValue(o, c) &&
        o.span.start <= c.span.start &&
        c.span.end <= o.span.end &&
        o.span.end - o.span.start > c.span.end - c.span.start,
    );
  });
}

const formKey = (f: IdentifierForm) => `${f.dataType}\u0000${f.value}\u0000${f.form}\u0000${f.coordinate ?? ''}`;
const coordinateForm = (f: IdentifierForm) => (f.coordinate ? `${f.coordinate}:${f.form}` : f.form);

export function dedupeHits(hits: IdentifierHit[]): IdentifierHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.dataType}\u0000${h.form}\u0000${h.location}\u0000${h.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

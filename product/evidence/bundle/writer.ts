import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { ConsentryError } from '../../core/errors.js';
import { safeFileSegment } from '../../core/untrusted.js';
import {
  BUNDLE_FILES,
  FindingsDoc,
  RunMeta,
  STREAMS,
  type HookEvent,
  type Marker,
  type Flow,
  type RunOutcome,
  type StreamName,
  type UiSnapshot,
} from '../../contracts/bundle-schema.js';

/** Trusted lines are gathered in buffers of this size (a line longer than it gets its own). */
const LINE_CHUNK_BYTES = 256 * 1024;

interface LineChunk {
  bytes: Buffer;
  used: number;
}

/**
 * Appends evidence to a bundle while a run is in progress.
 *
 * Crash safety: run.json is written first with outcome "running" and replaced atomically
 * (write to a temp file, rename) on every update, so it is never half-written. JSONL streams
 * get one whole line per write; a crash can at worst leave a truncated last line, which the
 * reader reports and skips. A bundle whose run.json still says "running" is incomplete.
 */
export class BundleWriter {
  readonly dir: string;
  private meta: RunMeta;
  private readonly streams = new Map<StreamName, WriteStream>();
  private logcat: WriteStream | undefined;
  private counters = { markers: 0, events: 0, flows: 0, ui: 0 };
  private closed = false;
  /** Trusted lines gathered for one write per stream (appendTrustedLine). */
  private readonly pendingLines = new Map<StreamName, LineChunk>();
  private flushQueued = false;

  private constructor(dir: string, meta: RunMeta) {
    this.dir = dir;
    this.meta = meta;
  }

  /** Creates `<root>/<runId>/` and writes run.json with outcome "running". */
  static create(root: string, meta: Omit<RunMeta, 'outcome'> & { outcome?: RunOutcome }): BundleWriter {
    const parsed = RunMeta.parse({ ...meta, outcome: meta.outcome ?? 'running' });
    const dir = join(root, safeFileSegment(parsed.runId));
    if (existsSync(join(dir, BUNDLE_FILES.run))) {
      throw new ConsentryError('BUNDLE_EXISTS', `a bundle already exists at ${dir}`);
    }
    mkdirSync(join(dir, BUNDLE_FILES.bodies), { recursive: true });
    mkdirSync(join(dir, BUNDLE_FILES.screens), { recursive: true });
    const writer = new BundleWriter(dir, parsed);
    writer.writeRun();
    return writer;
  }

  get run(): Readonly<RunMeta> {
    return this.meta;
  }

  get counts(): Readonly<Record<StreamName, number>> {
    return this.counters;
  }

  updateRun(patch: Partial<RunMeta>): void {
    this.meta = RunMeta.parse({ ...this.meta, ...patch });
    this.writeRun();
  }

  /** Records the start of a phase; returns a function that records its end. */
  phase(name: string, now = Date.now()): () => void {
    const entry = { name, start: now } as { name: string; start: number; end?: number };
    this.meta.phases.push(entry);
    this.writeRun();
    return () => {
      entry.end = Date.now();
      this.writeRun();
    };
  }

  nextId(stream: StreamName): string {
    const prefix = { markers: 'm', events: 'e', flows: 'f', ui: 'u' }[stream];
    return `${prefix}${this.counters[stream] + 1}`;
  }

  addMarker(marker: Omit<Marker, 'id'> & { id?: string }): Marker {
    return this.append('markers', marker) as Marker;
  }

  addEvent(event: Omit<HookEvent, 'id'> & { id?: string }): HookEvent {
    return this.append('events', event) as HookEvent;
  }

  addFlow(flow: Omit<Flow, 'id'> & { id?: string }): Flow {
    return this.append('flows', flow) as Flow;
  }

  addUi(snapshot: Omit<UiSnapshot, 'id'> & { id?: string }): UiSnapshot {
    return this.append('ui', snapshot) as UiSnapshot;
  }

  /** Validates and appends one record; returns it with its id. */
  append(stream: StreamName, record: Record<string, unknown>): unknown {
    if (this.closed) throw new ConsentryError('BUNDLE_CLOSED', `bundle ${this.dir} is already finished`);
    const withId = { ...record, id: (record.id as string | undefined) ?? this.nextId(stream) };
    const parsed = STREAMS[stream].schema.parse(withId);
    this.counters[stream] += 1;
    this.flushLines(stream);
    this.stream(stream).write(`${JSON.stringify(parsed)}\n`);
    return parsed;
  }

  /**
   * Appends a record the caller has already validated against the stream's schema (the agent
   * event recorder validates at its own boundary): skips the second zod pass on the hot path.
   * Returns the record with its id.
   */
  appendTrusted<T extends Record<string, unknown>>(stream: StreamName, record: T): T & { id: string } {
    if (this.closed) throw new ConsentryError('BUNDLE_CLOSED', `bundle ${this.dir} is already finished`);
    const withId = { ...record, id: (record.id as string | undefined) ?? this.nextId(stream) };
    this.counters[stream] += 1;
    this.flushLines(stream);
    this.stream(stream).write(`${JSON.stringify(withId)}\n`);
    return withId;
  }

  /**
   * appendTrusted for a caller that has built the line itself, in two parts: `head`, the JSON
   * of the record's first keys without its closing brace, and `tail`, the rest of its keys (each
   * with its leading comma), as text or as UTF-8 bytes. The writer adds the id as the last key,
   * where appendTrusted puts it: the line must be byte for byte what appendTrusted would write
   * (the agent event recorder's test holds it to that). The recorder encodes the tail of a stack
   * it has seen before once, so most of each line is copied rather than serialised again.
   * `record` is the same record as an object (for wrappers that look at it); it must not carry
   * an id of its own. Returns the id.
   *
   * Lines are gathered in a buffer and handed to the stream as one write when the current
   * synchronous turn ends (one agent message, typically), or sooner when the buffer is full; any
   * other write to the same stream, and finish(), hand them over first, so order is kept. Each
   * line stays whole, as with every other append.
   */
  appendTrustedLine(stream: StreamName, record: Record<string, unknown>, head: string, tail: Uint8Array | string): string {
    if (this.closed) throw new ConsentryError('BUNDLE_CLOSED', `bundle ${this.dir} is already finished`);
    if (record.id !== undefined) throw new ConsentryError('BUNDLE_TRUSTED_ID', 'trusted lines get their id from the writer; the record carries one', { context: { stream } });
    const id = this.nextId(stream);
    this.counters[stream] += 1;
    // Ids are ours ("e123"): no character in them needs escaping.
    const end = `,"id":"${id}"}\n`;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const chunk = this.lineChunk(stream, head.length * 3 + (typeof tail === 'string' ? tail.length * 3 : tail.length) + end.length);
    chunk.used += chunk.bytes.write(head, chunk.used);
    if (typeof tail === 'string') chunk.used += chunk.bytes.write(tail, chunk.used);
    else {
      chunk.bytes.set(tail, chunk.used);
      chunk.used += tail.length;
    }
    chunk.used += chunk.bytes.write(end, chunk.used, 'latin1');
    return id;
  }

  /** The stream's pending line buffer with room for `need` more bytes. */
  private lineChunk(stream: StreamName, need: number): LineChunk {
    let chunk = this.pendingLines.get(stream);
    if (chunk && chunk.bytes.length - chunk.used < need) {
      // Full: the stream takes the buffer itself, and the next lines go to a new one.
      this.stream(stream).write(chunk.bytes.subarray(0, chunk.used));
      chunk.bytes = Buffer.allocUnsafe(Math.max(LINE_CHUNK_BYTES, need));
      chunk.used = 0;
    }
    if (!chunk) {
      chunk = { bytes: Buffer.allocUnsafe(Math.max(LINE_CHUNK_BYTES, need)), used: 0 };
      this.pendingLines.set(stream, chunk);
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushAllLines);
    }
    return chunk;
  }

  private readonly flushAllLines = (): void => {
    this.flushQueued = false;
    for (const stream of [...this.pendingLines.keys()]) this.flushLines(stream);
  };

  /** Hands the gathered lines to the stream: a copy of them, so the buffer serves the next turn. */
  private flushLines(stream: StreamName): void {
    const chunk = this.pendingLines.get(stream);
    if (!chunk || chunk.used === 0) return;
    this.stream(stream).write(Buffer.from(chunk.bytes.subarray(0, chunk.used)));
    chunk.used = 0;
  }

  /** Stores a body content-addressed; returns its SHA-256. Identical bodies are stored once. */
  storeBody(bytes: Buffer): string {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const dir = join(this.dir, BUNDLE_FILES.bodies, sha.slice(0, 2));
    const file = join(dir, sha);
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      writeAtomic(file, bytes);
    }
    return sha;
  }

  /** Stores a screenshot and/or UI tree; returns their paths relative to the bundle. */
  storeScreen(name: string, files: { png?: Buffer; xml?: string }): { screenshot?: string; tree?: string } {
    const base = safeFileSegment(name);
    const out: { screenshot?: string; tree?: string } = {};
    if (files.png) {
      out.screenshot = `${BUNDLE_FILES.screens}/${base}.png`;
      writeAtomic(join(this.dir, out.screenshot), files.png);
    }
    if (files.xml !== undefined) {
      out.tree = `${BUNDLE_FILES.screens}/${base}.xml`;
      writeAtomic(join(this.dir, out.tree), files.xml);
    }
    return out;
  }

  appendLogcat(text: string): void {
    this.logcat ??= createWriteStream(join(this.dir, BUNDLE_FILES.logcat), { flags: 'a' });
    this.logcat.write(text);
  }

  /** Writes a file into the bundle (inputs, static facts...). `relPath` is ours, never the app's. */
  writeFile(relPath: string, content: string | Buffer): string {
    const file = join(this.dir, relPath);
    mkdirSync(join(file, '..'), { recursive: true });
    writeAtomic(file, content);
    return relPath;
  }

  writeFindings(doc: FindingsDoc): void {
    writeAtomic(join(this.dir, BUNDLE_FILES.findings), `${JSON.stringify(FindingsDoc.parse(doc), null, 2)}\n`);
  }

  /** Flushes every stream and sets the final outcome. */
  async finish(outcome: Exclude<RunOutcome, 'running'>, reason?: string, endedAt = Date.now()): Promise<void> {
    if (this.closed) return;
    this.flushAllLines();
    this.closed = true;
    const all = [...this.streams.values(), ...(this.logcat ? [this.logcat] : [])];
    await Promise.all(
      all.map(async (s) => {
        s.end();
        await once(s, 'finish');
      }),
    );
    this.meta = RunMeta.parse({
      ...this.meta,
      outcome,
      endedAt,
      ...(reason !== undefined ? { outcomeReason: reason } : {}),
    });
    this.writeRun();
  }

  private stream(name: StreamName): WriteStream {
    let s = this.streams.get(name);
    if (!s) {
      s = createWriteStream(join(this.dir, STREAMS[name].file), { flags: 'a' });
      this.streams.set(name, s);
    }
    return s;
  }

  private writeRun(): void {
    writeAtomic(join(this.dir, BUNDLE_FILES.run), `${JSON.stringify(this.meta, null, 2)}\n`);
  }
}

let tmpCounter = 0;
function writeAtomic(file: string, content: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}-${++tmpCounter}`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

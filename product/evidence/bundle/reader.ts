import { closeSync, constants, createReadStream, existsSync, fstatSync, lstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import type { ReadStream } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { ConsentryError, EXIT } from '../../core/errors.js';
import {
  BUNDLE_FILES,
  FindingsDoc,
  RunMeta,
  STREAMS,
  type Flow,
  type HookEvent,
  type Marker,
  type StreamName,
  type UiSnapshot,
} from '../../contracts/bundle-schema.js';

/** One thing wrong with a bundle, located precisely enough to open the file and look. */
export interface BundleProblem {
  file: string;
  line?: number;
  field?: string;
  message: string;
  /** A truncated last line of a bundle whose writer died is expected; anything else is damage. */
  severity: 'damage' | 'truncation';
}

export class BundleDamagedError extends ConsentryError {
  readonly problems: BundleProblem[];
  constructor(dir: string, problems: BundleProblem[]) {
    const first = problems[0];
    const where = first ? `${first.file}${first.line ? `:${first.line}` : ''}${first.field ? ` field "${first.field}"` : ''}` : dir;
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    // The way out is part of the message: --lenient skips damaged records and lists them.
    super('BUNDLE_DAMAGED', `damaged bundle: ${where}: ${first?.message ?? 'unreadable'}${more} (re-run with --lenient to skip damaged records and list them)`, {
      exitCode: EXIT.usage,
      context: { bundle: dir },
    });
    this.problems = problems;
  }
}

export interface Bundle {
  dir: string;
  run: RunMeta;
  markers: Marker[];
  events: HookEvent[];
  flows: Flow[];
  ui: UiSnapshot[];
  findings: FindingsDoc | undefined;
  /**
   * findings.json exists but cannot be used (invalid JSON or schema). It is analysis output,
   * not evidence, so it never makes the bundle damaged: `analyze` recomputes and replaces it.
   */
  findingsProblem?: BundleProblem;
  /** Set when run.json says the writer never finished (crash) or the run was interrupted. */
  incomplete: boolean;
  problems: BundleProblem[];
}

export interface ReadOptions {
  /** Throw on any damage (default). With false, invalid lines are skipped and listed in `problems`. */
  strict?: boolean;
}

/** Reads and validates a whole bundle. Damage is reported by file, line and field. */
export async function readBundle(dir: string, options: ReadOptions = {}): Promise<Bundle> {
  const strict = options.strict ?? true;
  const problems: BundleProblem[] = [];
  const run = readRunMeta(dir);
  const incomplete = run.outcome === 'running' || run.outcome === 'interrupted';
  const streams = {} as { [K in StreamName]: unknown[] };
  for (const name of Object.keys(STREAMS) as StreamName[]) {
    streams[name] = [];
    for await (const item of readStream(dir, name, problems, incomplete)) streams[name].push(item);
  }
  const findingsRead = readFindings(dir);
  const findings = findingsRead.findings;
  const refused = checkReferences(dir, streams.flows as Flow[], streams.ui as UiSnapshot[], problems);
  const damage = problems.filter((p) => p.severity === 'damage');
  if (strict && damage.length > 0) throw new BundleDamagedError(dir, damage);
  return {
    dir,
    run,
    markers: streams.markers as Marker[],
    events: streams.events as HookEvent[],
    // A lenient read keeps the records but forgets references it refused to open, so no
    // consumer (report, HAR, traffic scan) is ever handed a path to a link or a device file.
    flows: (streams.flows as Flow[]).map((f) => withoutRefusedBodies(f, refused)),
    ui: (streams.ui as UiSnapshot[]).map((u) => withoutRefusedFiles(u, refused)),
    findings,
    ...(findingsRead.problem ? { findingsProblem: findingsRead.problem } : {}),
    incomplete,
    problems,
  };
}

/** findings.json, when present and valid; otherwise what is wrong with it (absent: neither). */
export function readFindings(dir: string): { findings?: FindingsDoc; problem?: BundleProblem } {
  if (bundleFileStatus(dir, BUNDLE_FILES.findings).state === 'missing') return {};
  const parsed = parseJsonFile(dir, BUNDLE_FILES.findings, FindingsDoc);
  return parsed.ok ? { findings: parsed.value } : { problem: parsed.problem };
}

export function readRunMeta(dir: string): RunMeta {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConsentryError('BUNDLE_NOT_FOUND', `${dir}: no bundle directory here`, { exitCode: EXIT.usage });
  }
  const parsed = parseJsonFile(dir, BUNDLE_FILES.run, RunMeta);
  if (!parsed.ok) throw new BundleDamagedError(dir, [parsed.problem]);
  return parsed.value;
}

/**
 * Streams one JSONL file record by record with bounded memory (for 1 GB captures). Invalid
 * lines are pushed to `problems`; a truncated final line in an unfinished bundle is reported
 * as truncation, not damage.
 */
export async function* readStream(
  dir: string,
  name: StreamName,
  problems: BundleProblem[] = [],
  writerDied = false,
): AsyncGenerator<unknown> {
  const { file, schema } = STREAMS[name];
  const opened = openBundleFile(dir, file);
  if (opened.state === 'missing') return;
  if (opened.state === 'refused') {
    problems.push({ file, message: opened.reason, severity: 'damage' });
    return;
  }
  const endsWithNewline = fdEndsWithNewline(opened.fd);
  const lines = createInterface({ input: createReadStream('', { fd: opened.fd }), crlfDelay: Infinity });
  let lineNo = 0;
  let pending: { line: string; no: number } | undefined;
  const handle = (line: string, no: number, isLast: boolean): unknown => {
    if (line.trim() === '') return undefined;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      const truncated = isLast && !endsWithNewline;
      problems.push({
        file,
        line: no,
        message: truncated ? 'last line is truncated (the writer stopped mid-line)' : 'not valid JSON',
        severity: truncated && writerDied ? 'truncation' : 'damage',
      });
      return undefined;
    }
    const result = (schema as z.ZodType).safeParse(json);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      problems.push({ file, line: no, field: issue.path.join('.') || undefined, message: issue.message, severity: 'damage' });
      return undefined;
    }
    return result.data;
  };
  for await (const line of lines) {
    lineNo += 1;
    if (pending) {
      const value = handle(pending.line, pending.no, false);
      if (value !== undefined) yield value;
    }
    pending = { line, no: lineNo };
  }
  if (pending) {
    const value = handle(pending.line, pending.no, true);
    if (value !== undefined) yield value;
  }
}

function fdEndsWithNewline(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

function parseJsonFile<T>(
  dir: string,
  label: string,
  schema: z.ZodType<T>,
): { ok: true; value: T } | { ok: false; problem: BundleProblem } {
  const read = readBundleFileChecked(dir, label);
  if (read.state !== 'ok') {
    const message = read.state === 'refused' ? read.reason : 'missing or unreadable';
    return { ok: false, problem: { file: label, message, severity: 'damage' } };
  }
  const text = read.bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return { ok: false, problem: { file: label, message: `not valid JSON (${(e as Error).message})`, severity: 'damage' } };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return {
      ok: false,
      problem: { file: label, field: issue.path.join('.') || undefined, message: issue.message, severity: 'damage' },
    };
  }
  return { ok: true, value: result.data };
}

/**
 * Bodies and screenshots a record points at must exist (the report would show holes otherwise)
 * and must be regular files inside the bundle: a crafted bundle whose bodies/ or screens/ entry
 * is a link to the capture CA's key must not carry that key into a report. Returns the
 * references refused, so a lenient read can drop them from the records it hands out.
 */
function checkReferences(dir: string, flows: Flow[], ui: UiSnapshot[], problems: BundleProblem[]): Set<string> {
  const refused = new Set<string>();
  const check = (rel: string, file: string, field: string, what = '') => {
    const status = bundleFileStatus(dir, rel);
    if (status.state === 'ok') return;
    if (status.state === 'refused') refused.add(rel);
    const message = status.state === 'missing' ? `${what}${relative('.', rel)} is missing` : `${rel}: ${status.reason}`;
    problems.push({ file, field, message, severity: 'damage' });
  };
  for (const flow of flows) {
    const shas = [flow.request?.body.sha256, flow.response?.body.sha256, ...(flow.websocket ?? []).map((m) => m.sha256)];
    for (const sha of shas) if (sha) check(bodyRel(sha), BUNDLE_FILES.flows, `flow ${flow.id} body`, 'body ');
  }
  for (const snap of ui) {
    for (const rel of [snap.screenshot, snap.tree]) if (rel) check(rel, BUNDLE_FILES.ui, `snapshot ${snap.id}`);
  }
  return refused;
}

function withoutRefusedBodies(flow: Flow, refused: Set<string>): Flow {
  if (refused.size === 0) return flow;
  const clean = <T extends { sha256?: string | undefined }>(part: T): T => {
    if (!part.sha256 || !refused.has(bodyRel(part.sha256))) return part;
    const { sha256: _dropped, ...rest } = part;
    return rest as T;
  };
  return {
    ...flow,
    ...(flow.request ? { request: { ...flow.request, body: clean(flow.request.body) } } : {}),
    ...(flow.response ? { response: { ...flow.response, body: clean(flow.response.body) } } : {}),
    ...(flow.websocket ? { websocket: flow.websocket.map(clean) } : {}),
  };
}

function withoutRefusedFiles(snap: UiSnapshot, refused: Set<string>): UiSnapshot {
  if (refused.size === 0) return snap;
  const { screenshot, tree, ...rest } = snap;
  return {
    ...rest,
    ...(screenshot && !refused.has(screenshot) ? { screenshot } : {}),
    ...(tree && !refused.has(tree) ? { tree } : {}),
  };
}

function bodyRel(sha256: string): string {
  return `${BUNDLE_FILES.bodies}/${sha256.slice(0, 2)}/${sha256}`;
}

/** Where a bundle-relative path stands: a regular file inside the bundle, absent, or refused (and why). */
export type BundleFileStatus = { state: 'ok' } | { state: 'missing' } | { state: 'refused'; reason: string };

/**
 * Checks a bundle-relative path without following any link: every component from the bundle
 * root down is looked at with lstat, so a linked directory (bodies/ab -> /) is refused as
 * surely as a linked file, and the file itself must be a regular file (not a FIFO that would
 * hang the reader, nor a device).
 */
export function bundleFileStatus(dir: string, rel: string): BundleFileStatus {
  const located = locate(dir, rel);
  return located.state === 'ok' ? { state: 'ok' } : located;
}

function locate(dir: string, rel: string): { state: 'ok'; path: string; ino: number; dev: number } | { state: 'missing' } | { state: 'refused'; reason: string } {
  const segments = rel.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (rel.startsWith('/') || /^[a-zA-Z]:/.test(rel) || segments.length === 0 || segments.includes('..')) {
    return { state: 'refused', reason: 'the path leaves the bundle (absolute or with "..")' };
  }
  let current: string;
  try {
    // The bundle folder itself may be reached through a link the user chose; nothing below it may.
    current = realpathSync(dir);
  } catch {
    return { state: 'missing' };
  }
  for (const [i, segment] of segments.entries()) {
    current = join(current, segment);
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      return { state: 'missing' };
    }
    const last = i === segments.length - 1;
    if (stat.isSymbolicLink()) return { state: 'refused', reason: `${segments.slice(0, i + 1).join('/')} is a symbolic link; the reader opens only regular files inside the bundle` };
    if (!last && !stat.isDirectory()) return { state: 'refused', reason: `${segments.slice(0, i + 1).join('/')} is not a folder` };
    if (last && !stat.isFile()) return { state: 'refused', reason: 'not a regular file; the reader opens only regular files inside the bundle' };
    if (last) return { state: 'ok', path: current, ino: stat.ino, dev: stat.dev };
  }
  return { state: 'missing' };
}

type Opened = { state: 'ok'; fd: number } | { state: 'missing' } | { state: 'refused'; reason: string };

/**
 * Opens a bundle file for reading with O_NOFOLLOW (and O_NONBLOCK, so a FIFO swapped in after
 * the check cannot hang us), then confirms the descriptor is the regular file that was checked.
 */
function openBundleFile(dir: string, rel: string): Opened {
  const located = locate(dir, rel);
  if (located.state !== 'ok') return located;
  let fd: number;
  try {
    fd = openSync(located.path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { state: 'missing' };
    return { state: 'refused', reason: code === 'ELOOP' ? 'is a symbolic link; the reader opens only regular files inside the bundle' : `cannot be opened (${code ?? 'error'})` };
  }
  const stat = fstatSync(fd);
  if (!stat.isFile() || stat.ino !== located.ino || stat.dev !== located.dev) {
    closeSync(fd);
    return { state: 'refused', reason: 'changed while being opened; the reader opens only regular files inside the bundle' };
  }
  return { state: 'ok', fd };
}

function readBundleFileChecked(dir: string, rel: string): { state: 'ok'; bytes: Buffer } | { state: 'missing' } | { state: 'refused'; reason: string } {
  const opened = openBundleFile(dir, rel);
  if (opened.state !== 'ok') return opened;
  try {
    const size = fstatSync(opened.fd).size;
    const bytes = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(opened.fd, bytes, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return { state: 'ok', bytes: bytes.subarray(0, at) };
  } finally {
    closeSync(opened.fd);
  }
}

/**
 * The bytes of a file inside the bundle (relative path), or undefined when it is absent or
 * refused (a link, a folder, a device, a path leaving the bundle). Every reader of bundle
 * files outside this module should come through here or {@link openBundleReadStream}.
 */
export function readBundleFile(dir: string, rel: string): Buffer | undefined {
  const read = readBundleFileChecked(dir, rel);
  return read.state === 'ok' ? read.bytes : undefined;
}

/** A stored body's bytes (see {@link readBundleFile}). */
export function readBody(dir: string, sha256: string): Buffer | undefined {
  return readBundleFile(dir, bodyRel(sha256));
}

/** A stream over a file inside the bundle, opened with the same refusals as {@link readBundleFile}. */
export function openBundleReadStream(dir: string, rel: string, options: { highWaterMark?: number } = {}): ReadStream | undefined {
  const opened = openBundleFile(dir, rel);
  return opened.state === 'ok' ? createReadStream('', { fd: opened.fd, ...options }) : undefined;
}

/**
 * Path of a stored body. Prefer {@link readBody}: a path invites a plain readFile, which would
 * follow a link planted in a crafted bundle.
 */
export function bodyPath(dir: string, sha256: string): string {
  return join(dir, BUNDLE_FILES.bodies, sha256.slice(0, 2), sha256);
}

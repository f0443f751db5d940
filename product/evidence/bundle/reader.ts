import { closeSync, createReadStream, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
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
    super('BUNDLE_DAMAGED', `damaged bundle: ${where}: ${first?.message ?? 'unreadable'}${more}`, {
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
  let findings: FindingsDoc | undefined;
  const findingsFile = join(dir, BUNDLE_FILES.findings);
  if (existsSync(findingsFile)) {
    const parsed = parseJsonFile(findingsFile, FindingsDoc, BUNDLE_FILES.findings);
    if (parsed.ok) findings = parsed.value;
    else problems.push(parsed.problem);
  }
  checkReferences(dir, streams.flows as Flow[], streams.ui as UiSnapshot[], problems);
  const damage = problems.filter((p) => p.severity === 'damage');
  if (strict && damage.length > 0) throw new BundleDamagedError(dir, damage);
  return {
    dir,
    run,
    markers: streams.markers as Marker[],
    events: streams.events as HookEvent[],
    flows: streams.flows as Flow[],
    ui: streams.ui as UiSnapshot[],
    findings,
    incomplete,
    problems,
  };
}

export function readRunMeta(dir: string): RunMeta {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ConsentryError('BUNDLE_NOT_FOUND', `${dir}: no bundle directory here`, { exitCode: EXIT.usage });
  }
  const parsed = parseJsonFile(join(dir, BUNDLE_FILES.run), RunMeta, BUNDLE_FILES.run);
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
  const path = join(dir, file);
  if (!existsSync(path)) return;
  const endsWithNewline = fileEndsWithNewline(path);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
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

function fileEndsWithNewline(path: string): boolean {
  const size = statSync(path).size;
  if (size === 0) return true;
  const fd = openSync(path, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

function parseJsonFile<T>(
  path: string,
  schema: z.ZodType<T>,
  label: string,
): { ok: true; value: T } | { ok: false; problem: BundleProblem } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { ok: false, problem: { file: label, message: 'missing or unreadable', severity: 'damage' } };
  }
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

/** Bodies and screenshots a record points at must exist: the report would show holes otherwise. */
function checkReferences(dir: string, flows: Flow[], ui: UiSnapshot[], problems: BundleProblem[]): void {
  const missing = (rel: string) => !existsSync(join(dir, rel));
  for (const flow of flows) {
    for (const part of [flow.request?.body, flow.response?.body]) {
      if (part?.sha256) {
        const rel = `${BUNDLE_FILES.bodies}/${part.sha256.slice(0, 2)}/${part.sha256}`;
        if (missing(rel)) problems.push({ file: BUNDLE_FILES.flows, field: `flow ${flow.id} body`, message: `body ${rel} is missing`, severity: 'damage' });
      }
    }
  }
  for (const snap of ui) {
    for (const rel of [snap.screenshot, snap.tree]) {
      if (rel && (rel.includes('..') || missing(rel))) {
        problems.push({ file: BUNDLE_FILES.ui, field: `snapshot ${snap.id}`, message: `${relative('.', rel)} is missing`, severity: 'damage' });
      }
    }
  }
}

/** Path of a stored body. */
export function bodyPath(dir: string, sha256: string): string {
  return join(dir, BUNDLE_FILES.bodies, sha256.slice(0, 2), sha256);
}

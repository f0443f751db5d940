import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { JobSpec } from './job-store.js';

const APP_EXTENSIONS = new Set(['.apk', '.apks', '.xapk']);

const CsvRow = z
  .object({
    path: z.string().min(1, 'expected the path of an APK, .apks or .xapk'),
    policy: z.string().optional(),
    declared: z.string().optional(),
    scenario: z.string().optional(),
  })
  .strip();

/**
 * The apps of a batch: every .apk/.apks/.xapk in a folder (sorted, with `<name>.policy.*` and
 * `<name>.declared.*` beside an app picked up as its policy and declared list), or a CSV with
 * columns path[,policy,declared,scenario] (paths relative to the CSV).
 */
export function readAppList(source: string): JobSpec[] {
  const abs = resolve(source);
  let stats;
  try {
    stats = statSync(abs);
  } catch {
    throw new InputError('APP_LIST_NOT_FOUND', 'no such folder or CSV file', { file: abs });
  }
  return stats.isDirectory() ? fromDirectory(abs) : fromCsv(abs);
}

function fromDirectory(dir: string): JobSpec[] {
  const names = readdirSync(dir).sort();
  const apps = names.filter((n) => APP_EXTENSIONS.has(extname(n).toLowerCase()));
  if (apps.length === 0) throw new InputError('APP_LIST_EMPTY', 'no .apk, .apks or .xapk file in this folder', { file: dir });
  return apps.map((name) => {
    const stem = name.slice(0, -extname(name).length);
    const policy = names.find((n) => n.startsWith(`${stem}.policy.`));
    const declared = names.find((n) => n.startsWith(`${stem}.declared.`));
    return {
      appPath: join(dir, name),
      ...(policy ? { policy: join(dir, policy) } : {}),
      ...(declared ? { declared: join(dir, declared) } : {}),
    };
  });
}

function fromCsv(file: string): JobSpec[] {
  let rows: Record<string, string>[];
  try {
    rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new InputError('APP_LIST_SYNTAX', `not valid CSV: ${(e as Error).message}`, { file, ...(line ? { line } : {}) });
  }
  const base = dirname(file);
  const rel = (p: string | undefined) => (p ? (isAbsolute(p) ? p : join(base, p)) : undefined);
  return rows.map((raw, i) => {
    const parsed = CsvRow.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      // Line numbers count the header line.
      throw new InputError('APP_LIST_INVALID', issue.message, { file, line: i + 2, field: issue.path.join('.') || 'path' });
    }
    const row = parsed.data;
    if (!APP_EXTENSIONS.has(extname(row.path).toLowerCase())) {
      throw new InputError('APP_LIST_INVALID', `"${row.path}" is not an .apk, .apks or .xapk`, { file, line: i + 2, field: 'path' });
    }
    return {
      appPath: rel(row.path)!,
      ...(row.policy ? { policy: rel(row.policy)! } : {}),
      ...(row.declared ? { declared: rel(row.declared)! } : {}),
      ...(row.scenario ? { scenario: row.scenario } : {}),
    };
  });
}

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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

export interface AppListChecks {
  /**
   * Throws (an InputError) when a row's scenario cannot be loaded. Called once per distinct
   * scenario named in a CSV, before any device is leased; the error is re-raised with the CSV
   * file and line of the first row that names it.
   */
  checkScenario?: (scenario: string) => void;
}

/**
 * The apps of a batch: every .apk/.apks/.xapk in a folder (sorted, with `<name>.policy.*` and
 * `<name>.declared.*` beside an app picked up as its policy and declared list), or a CSV with
 * columns path[,policy,declared,scenario] (paths relative to the CSV). The whole list is
 * checked up front (every file a row names exists, every scenario loads), so a bad row fails
 * the batch before the first device is leased rather than half way through it.
 */
export function readAppList(source: string, checks: AppListChecks = {}): JobSpec[] {
  const abs = resolve(source);
  let stats;
  try {
    stats = statSync(abs);
  } catch {
    throw new InputError('APP_LIST_NOT_FOUND', 'no such folder or CSV file', { file: abs });
  }
  return stats.isDirectory() ? fromDirectory(abs) : fromCsv(abs, checks);
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

function fromCsv(file: string, checks: AppListChecks): JobSpec[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    // `info` gives each record's own line in the file, so blank lines skipped before a row
    // do not shift the line an error names.
    rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true, info: true });
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new InputError('APP_LIST_SYNTAX', `not valid CSV: ${(e as Error).message}`, { file, ...(line ? { line } : {}) });
  }
  const base = dirname(file);
  const rel = (p: string | undefined) => (p ? (isAbsolute(p) ? p : join(base, p)) : undefined);
  const checkedScenarios = new Set<string>();
  return rows.map(({ record: raw, info }) => {
    const line = info.lines;
    const parsed = CsvRow.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== '')));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError('APP_LIST_INVALID', issue.message, { file, line, field: issue.path.join('.') || 'path' });
    }
    const row = parsed.data;
    if (!APP_EXTENSIONS.has(extname(row.path).toLowerCase())) {
      throw new InputError('APP_LIST_INVALID', `"${row.path}" is not an .apk, .apks or .xapk`, { file, line, field: 'path' });
    }
    for (const field of ['path', 'policy', 'declared'] as const) {
      const value = row[field];
      if (value && !existsSync(rel(value)!)) {
        throw new InputError('APP_LIST_INVALID', `"${value}" does not exist (looked for ${rel(value)})`, { file, line, field });
      }
    }
    if (row.scenario && checks.checkScenario && !checkedScenarios.has(row.scenario)) {
      try {
        checks.checkScenario(row.scenario);
      } catch (e) {
        throw new InputError('APP_LIST_INVALID', `${(e as Error).message.replace(/^field "scenario": /, '')}`, { file, line, field: 'scenario', cause: e });
      }
      checkedScenarios.add(row.scenario);
    }
    return {
      appPath: rel(row.path)!,
      ...(row.policy ? { policy: rel(row.policy)! } : {}),
      ...(row.declared ? { declared: rel(row.declared)! } : {}),
      ...(row.scenario ? { scenario: row.scenario } : {}),
    };
  });
}

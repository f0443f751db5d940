import { readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError } from '../../../product/core/errors.js';

/**
 * Which scripts `npm run bench` runs: every tooling/bench/*.bench.ts, plus the traffic benchmarks that
 * live as tooling/bench/traffic-*.ts (owned by the traffic stage; they are plain scripts too). A
 * benchmark's name is its file name without the suffix: `npm run bench -- event-ingestion`.
 */
export interface BenchFile {
  name: string;
  file: string;
}

export function isBenchScript(fileName: string): boolean {
  if (fileName.endsWith('.test.ts') || fileName.endsWith('.d.ts')) return false;
  return fileName.endsWith('.bench.ts') || /^traffic-[a-z0-9-]+\.ts$/.test(fileName);
}

export function benchName(fileName: string): string {
  return basename(fileName).replace(/\.bench\.ts$/, '').replace(/\.ts$/, '');
}

export function discoverBenchFiles(dir: string): BenchFile[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && isBenchScript(e.name))
    .map((e) => ({ name: benchName(e.name), file: `${dir}/${e.name}` }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export class UnknownBenchError extends InputError {
  constructor(readonly unknown: string[], readonly available: string[]) {
    super('BENCH_UNKNOWN', `unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (available: ${available.join(', ') || 'none'})`, {
      field: 'benchmark name',
    });
  }
}

/** All benchmarks when no name is given; otherwise exactly the named ones, in the order named. */
export function selectBenchFiles(all: BenchFile[], names: string[]): BenchFile[] {
  if (names.length === 0) return all;
  const byName = new Map(all.map((b) => [b.name, b]));
  const unknown = names.filter((n) => !byName.has(n));
  if (unknown.length) throw new UnknownBenchError(unknown, all.map((b) => b.name));
  return [...new Set(names)].map((n) => byName.get(n)!);
}

/** `event-ingestion apk-static --quick` → names before the first flag, the rest forwarded. */
export function splitArgs(argv: string[]): { names: string[]; forwarded: string[] } {
  const firstFlag = argv.findIndex((a) => a.startsWith('-'));
  const cut = firstFlag < 0 ? argv.length : firstFlag;
  return { names: argv.slice(0, cut), forwarded: argv.slice(cut) };
}

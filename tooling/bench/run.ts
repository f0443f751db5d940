/**
 * `npm run bench [-- <name>... [--flags forwarded to each benchmark]]`
 *
 * Runs each benchmark script in its own Node process, one after another (never in parallel:
 * they measure the machine), and prints a one-line summary per benchmark at the end. Names
 * come first; everything from the first `--flag` on is passed to every selected benchmark,
 * e.g. `npm run bench -- event-ingestion --quick`.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '../../product/core/errors.js';
import { startProcess } from '../../product/core/process.js';
import { discoverBenchFiles, selectBenchFiles, splitArgs, type BenchFile } from './lib/bench-files.js';
import { timed } from './lib/timing.js';
import { print } from './lib/report.js';

async function runOne(bench: BenchFile, forwarded: string[]): Promise<number> {
  print(`\n=== ${bench.name} (${bench.file}) ===\n`);
  const proc = startProcess(process.execPath, ['--import', 'tsx', bench.file, ...forwarded], {
    name: `bench:${bench.name}`,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return (await proc.exited) ?? 1;
}

async function main(): Promise<number> {
  const benchDir = dirname(fileURLToPath(import.meta.url));
  const { names, forwarded } = splitArgs(process.argv.slice(2));
  let selected: BenchFile[];
  try {
    selected = selectBenchFiles(discoverBenchFiles(benchDir), names);
  } catch (err) {
    print(errorMessage(err));
    return 2;
  }
  const summary: string[] = [];
  let failed = 0;
  for (const bench of selected) {
    const { value: code, ms } = await timed(() => runOne(bench, forwarded));
    if (code !== 0) failed += 1;
    summary.push(`${code === 0 ? 'ok  ' : 'FAIL'} ${bench.name} (${(ms / 1000).toFixed(1)} s${code === 0 ? '' : `, exit ${code}`})`);
  }
  print('\n=== summary ===');
  for (const line of summary) print(line);
  return failed ? 1 : 0;
}

process.exitCode = await main();

import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { z } from 'zod';
import { ConsentryError } from '../../../product/core/errors.js';
import { PACKAGE_ROOT } from '../../../product/core/paths.js';
import { runProcess } from '../../../product/core/process.js';

/**
 * Runs a benchmark worker in a fresh Node process and reads its result: the last stdout line, a
 * JSON document checked with `schema`. A fresh process per contender keeps one contender's heap,
 * JIT state and RSS high-water mark out of the other's numbers.
 *
 * The worker is compiled first (esbuild, npm packages left external) and run with plain `node`,
 * as consentry ships (dist/, no TypeScript loader). Under tsx, start-up and RSS would include the
 * loader's own thread and transpile cache, which users never pay. Compiled with code splitting:
 * dist/ is one module per file, so an `await import()` loads its module (and the npm packages it
 * imports) only when reached; a single-file bundle would hoist every npm import to the top and
 * charge lazily loaded packages to start-up.
 */
export interface WorkerOptions {
  timeoutMs: number;
  nodeFlags?: string[];
  env?: NodeJS.ProcessEnv;
  /** Run the TypeScript source through tsx instead (CPU profiles then name source files). */
  fromSource?: boolean;
}

/** A worker ready to start: compile once, then time only the runs. */
export interface PreparedWorker {
  run<T>(args: string[], schema: z.ZodType<T>, options: Omit<WorkerOptions, 'fromSource'>): Promise<T>;
  dispose(): void;
}

export interface PrepareOptions {
  fromSource?: boolean;
  /** Files the worker needs beside its compiled code (what `npm run build` puts beside dist/ modules). */
  besideWorker?: (dir: string) => void;
}

export async function prepareWorker(workerFile: string | URL, options: PrepareOptions = {}): Promise<PreparedWorker> {
  const source = typeof workerFile === 'string' ? workerFile : fileURLToPath(workerFile);
  const compiled = options.fromSource ? undefined : await compileWorker(source);
  if (compiled) options.besideWorker?.(compiled.dir);
  const entry = compiled ? [compiled.entry] : ['--import', 'tsx', source];
  return {
    async run(args, schema, runOptions) {
      const res = await runProcess(process.execPath, [...(runOptions.nodeFlags ?? []), ...entry, ...args], {
        timeoutMs: runOptions.timeoutMs,
        env: runOptions.env ?? process.env,
        maxOutputBytes: 256 * 1024 * 1024,
      });
      const last = res.stdout.trim().split('\n').pop() ?? '';
      let json: unknown;
      try {
        json = JSON.parse(last);
      } catch (err) {
        throw new ConsentryError('BENCH_WORKER_OUTPUT', `worker ${source} did not end with a JSON result line: ${last.slice(0, 200)}`, { cause: err });
      }
      return schema.parse(json);
    },
    dispose() {
      if (compiled) rmSync(compiled.dir, { recursive: true, force: true });
    },
  };
}

/** Prepares, runs once and disposes. */
export async function runWorker<T>(workerFile: string | URL, args: string[], schema: z.ZodType<T>, options: WorkerOptions): Promise<T> {
  const worker = await prepareWorker(workerFile, options.fromSource ? { fromSource: true } : {});
  try {
    return await worker.run(args, schema, options);
  } finally {
    worker.dispose();
  }
}

/**
 * Compiles into its own folder under node_modules/.cache/consentry-bench/: inside the package,
 * so the worker resolves npm packages and finds the package root (catalogues, sample apps) as
 * dist/ code does; one folder per call, since a benchmark and a test may compile the same worker
 * at once.
 */
let compileCount = 0;

export async function compileWorker(file: string): Promise<{ entry: string; dir: string }> {
  const dir = join(PACKAGE_ROOT, 'node_modules', '.cache', 'consentry-bench', `${basename(file, '.ts')}-${process.pid}-${++compileCount}`);
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: { worker: file },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'error',
  });
  return { entry: join(dir, 'worker.mjs'), dir };
}

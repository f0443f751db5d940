import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { z } from 'zod';
import { ConsentryError } from '../../harness/core/errors.js';
import { PACKAGE_ROOT } from '../../harness/core/paths.js';
import { runProcess } from '../../harness/core/process.js';

/**
 * Runs a benchmark worker in a fresh Node process and reads its result: the last stdout line, a
 * JSON document checked with `schema`. A fresh process per contender keeps one contender's heap,
 * JIT state and RSS high-water mark out of the other's numbers.
 *
 * The worker is compiled to one JavaScript file first (esbuild, npm packages left external) and
 * run with plain `node`, as consentry ships (dist/, no TypeScript loader). Under tsx, start-up
 * and RSS would include the loader's own thread and transpile cache, which users never pay.
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

export async function prepareWorker(workerFile: string | URL, fromSource = false): Promise<PreparedWorker> {
  const source = typeof workerFile === 'string' ? workerFile : fileURLToPath(workerFile);
  const compiled = fromSource ? undefined : await compileWorker(source);
  const entry = compiled ? [compiled] : ['--import', 'tsx', source];
  return {
    async run(args, schema, options) {
      const res = await runProcess(process.execPath, [...(options.nodeFlags ?? []), ...entry, ...args], {
        timeoutMs: options.timeoutMs,
        env: options.env ?? process.env,
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
      if (compiled) for (const f of [compiled, `${compiled}.map`]) rmSync(f, { force: true });
    },
  };
}

/** Prepares, runs once and disposes. */
export async function runWorker<T>(workerFile: string | URL, args: string[], schema: z.ZodType<T>, options: WorkerOptions): Promise<T> {
  const worker = await prepareWorker(workerFile, options.fromSource);
  try {
    return await worker.run(args, schema, options);
  } finally {
    worker.dispose();
  }
}

/**
 * Compiles into node_modules/.cache/consentry-bench/: inside the package, so the worker resolves
 * npm packages and finds the package root (catalogues, sample apps) as dist/ code does.
 */
let compileCount = 0;

export async function compileWorker(file: string): Promise<string> {
  const outDir = join(PACKAGE_ROOT, 'node_modules', '.cache', 'consentry-bench');
  mkdirSync(outDir, { recursive: true });
  // One file per caller: a benchmark and a test may compile the same worker at once.
  const outfile = join(outDir, `${basename(file, '.ts')}-${process.pid}-${++compileCount}.mjs`);
  await build({
    entryPoints: [file],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'error',
  });
  return outfile;
}

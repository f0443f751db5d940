/**
 * Emits a worker's result as the last stdout line (read by runWorker in child.ts). Kept apart
 * from child.ts so a worker does not load esbuild: its start-up time is part of what is measured.
 */
export function emitWorkerResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

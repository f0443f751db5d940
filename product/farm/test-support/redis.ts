import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../core/free-port.js';
import { startProcess, waitForLine, type ManagedProcess } from '../../core/process.js';

/** A throwaway redis-server on a free loopback port, no persistence, for tests and benches. */
export async function startTestRedis(): Promise<{ url: string; port: number; proc: ManagedProcess }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'redis-'));
  const proc = startProcess('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    name: 'redis-server',
  });
  // Its (empty: no persistence) working folder goes with it, whoever stops it.
  void proc.exited.then(() => rmSync(dir, { recursive: true, force: true }));
  await waitForLine(proc, (l) => /Ready to accept connections/.test(l), 15_000);
  return { url: `redis://127.0.0.1:${port}`, port, proc };
}

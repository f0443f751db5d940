import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../product/evidence/bundle/reader.js';
import type { ManagedProcess } from '../../product/core/process.js';
import { redisConnection } from '../../product/farm/distributed/connection.js';
import { FarmCoordinator } from '../../product/farm/distributed/coordinator.js';
import { JobStore } from '../../product/farm/job-store.js';
import { startTestRedis } from '../../product/farm/test-support/redis.js';
import { tempDirs } from '../../product/core/test-support/temp-dirs.js';

const temp = tempDirs('shared-captures');

let redis: { url: string; proc: ManagedProcess };
const workers: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const w of workers) w.kill('SIGKILL');
  await redis?.proc.stop();
});

function startWorker(queue: string, captures: string, devices: string): { proc: ChildProcess; started: string[] } {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../product/farm/test-support/sim-worker.ts'), redis.url, queue, captures, devices, '1500'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  workers.push(proc);
  const started: string[] = [];
  proc.stdout!.on('data', (b: Buffer) => {
    for (const line of b.toString().split('\n')) if (line.startsWith('started ')) started.push(line);
  });
  return { proc, started };
}

describe('distributed farm on BullMQ + Redis', () => {
  it('finishes every app exactly once when a worker is killed mid-run', async () => {
    const captures = temp.make();
    const store = new JobStore(join(captures, 'farm.sqlite'));
    const apps = Array.from({ length: 12 }, (_, i) => ({ appPath: `/shared/apps/app${i}.apk` }));
    store.createBatch('dist1', 'test', {}, apps);
    const queue = `q${Date.now()}`;
    const coordinator = new FarmCoordinator(store, { queueName: queue, connection: redisConnection({ url: redis.url }), attempts: 3 });
    await coordinator.submit('dist1');

    const a = startWorker(queue, captures, 'a1,a2');
    const b = startWorker(queue, captures, 'b1,b2');
    // Kill worker A once it is in the middle of its runs.
    await expect.poll(() => a.started.length, { timeout: 30_000, interval: 100 }).toBeGreaterThanOrEqual(2);
    a.proc.kill('SIGKILL');

    const counts = await coordinator.waitForBatch('dist1');
    await coordinator.close();
    expect(counts).toMatchObject({ done: 12, failed: 0, queued: 0, running: 0 });

    const jobs = store.jobs('dist1');
    const bundles = jobs.map((j) => j.bundleDir!);
    expect(new Set(bundles).size).toBe(12);
    for (const dir of bundles) {
      const bundle = await readBundle(dir);
      expect(bundle.run.outcome).toBe('complete');
    }
    // The killed worker's in-flight runs were redone by B: their first bundles stay incomplete
    // and are not what the store counts.
    const killedRuns = a.started.map((l) => l.split(' ')[2]!).filter((d) => !bundles.includes(d));
    expect(killedRuns.length).toBeGreaterThan(0);
    for (const dir of killedRuns) expect((await readBundle(dir)).incomplete).toBe(true);
    expect(b.started.length).toBeGreaterThan(0);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchRunner, type AppRunner, type FarmDevices } from './batch-runner.js';
import { INTERRUPTED, JobStore } from './job-store.js';
import { tempDirs } from '../core/test-support/temp-dirs.js';

const temp = tempDirs('job-store');

function setup(apps: number) {
  const store = new JobStore(join(temp.make(), 'farm.sqlite'));
  store.createBatch('b1', 'test', {}, Array.from({ length: apps }, (_, i) => ({ appPath: `/apps/app${i}.apk` })));
  return store;
}

const freeDevices = (serials: string[]): FarmDevices => ({
  serials: () => serials,
  assign: async (serial) => ({ serial, release: async () => undefined }),
  quarantine: async () => undefined,
});

describe('JobStore: interrupted is not failed', () => {
  it('Ctrl-C during a batch leaves the apps in flight queued as interrupted, and --resume redoes them', async () => {
    const store = setup(4);
    const controller = new AbortController();
    let started = 0;
    // Two devices: each takes one app; once both are running, Ctrl-C. The runs then end in an
    // error, as real runs do when their signal aborts (the pipeline tears down and throws).
    const runner: AppRunner = async (job, _device, onBundle, signal) => {
      onBundle(`/captures/run-${job.id}`);
      started += 1;
      if (started === 2) setTimeout(() => controller.abort(), 5);
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted: teardown done')), { once: true }));
      throw new Error('unreachable');
    };
    await new BatchRunner(store, freeDevices(['d1', 'd2']), runner, { batchId: 'b1', signal: controller.signal }).run();

    const jobs = store.jobs('b1');
    expect(store.counts('b1')).toEqual({ queued: 4, running: 0, done: 0, failed: 0 });
    const interrupted = jobs.filter((j) => j.errorCode === INTERRUPTED);
    expect(interrupted).toHaveLength(2);
    expect(interrupted.every((j) => j.attempts === 0 && j.bundleDir === null && j.abandonedBundles.length === 1)).toBe(true);

    // The resume counts the two unfinished apps as redone, and runs all four.
    expect(store.requeueUnfinished('b1', () => false)).toBe(2);
    const ran: number[] = [];
    await new BatchRunner(store, freeDevices(['d1']), async (job) => {
      ran.push(job.id);
      return { bundleDir: `/captures/again-${job.id}`, verdict: 'pass', ruleIds: [] };
    }, { batchId: 'b1' }).run();
    expect(ran.sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(store.counts('b1')).toEqual({ queued: 0, running: 0, done: 4, failed: 0 });
  });

  it('a failure while the batch is not aborted stays a failure', async () => {
    const store = setup(1);
    const controller = new AbortController();
    await new BatchRunner(store, freeDevices(['d1']), async () => {
      throw new Error('boom');
    }, { batchId: 'b1', signal: controller.signal }).run();
    expect(store.jobs('b1')[0]).toMatchObject({ status: 'failed', errorCode: 'INTERNAL' });
  });

  it('resume requeues crashed runs and failed jobs whose bundle never finished, and counts them; finished ones stay', () => {
    const store = setup(4);
    const [a, b, c, d] = ['d1', 'd2', 'd3', 'd4'].map((serial) => store.claim('b1', serial)!);
    store.setBundle(a!.id, '/c/a');
    store.markDone(a!.id, { bundleDir: '/c/a', verdict: 'pass', ruleIds: [] });
    store.setBundle(b!.id, '/c/b-interrupted');
    store.markFailed(b!.id, { code: 'INTERNAL', message: 'aborted' }, false); // what older versions recorded on Ctrl-C
    store.setBundle(c!.id, '/c/c-failed');
    store.markFailed(c!.id, { code: 'APP_CRASHED', message: 'crash' }, false);
    store.setBundle(d!.id, '/c/d-running'); // the process died here

    const redone = store.requeueUnfinished('b1', (dir) => dir.endsWith('-interrupted') || dir.endsWith('-running'));
    expect(redone).toBe(2);
    const byId = new Map(store.jobs('b1').map((j) => [j.id, j]));
    expect(byId.get(a!.id)).toMatchObject({ status: 'done', bundleDir: '/c/a' });
    expect(byId.get(b!.id)).toMatchObject({ status: 'queued', abandonedBundles: ['/c/b-interrupted'] });
    expect(byId.get(c!.id)).toMatchObject({ status: 'failed', errorCode: 'APP_CRASHED' });
    expect(byId.get(d!.id)).toMatchObject({ status: 'queued', abandonedBundles: ['/c/d-running'] });
    // Until they are run again, a later resume still counts them; once run, nothing is left.
    expect(store.requeueUnfinished('b1', () => false)).toBe(2);
    for (const serial of ['d1', 'd2']) {
      const job = store.claim('b1', serial)!;
      store.markDone(job.id, { bundleDir: `/c/again-${job.id}`, verdict: 'pass', ruleIds: [] });
    }
    expect(store.requeueUnfinished('b1', () => false)).toBe(0);
  });
});

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsentryError } from '../core/errors.js';
import { BatchRunner, type AppRunner, type FarmDevices } from './batch-runner.js';
import { JobStore } from './job-store.js';
import { tempDirs } from '../core/test-support/temp-dirs.js';

const temp = tempDirs('farm');

function setup(apps: number) {
  const store = new JobStore(join(temp.make(), 'farm.sqlite'));
  store.createBatch('b1', 'test', {}, Array.from({ length: apps }, (_, i) => ({ appPath: `/apps/app${i}.apk` })));
  return store;
}

function devices(serials: string[], quarantined: string[] = []): FarmDevices {
  return {
    serials: () => serials,
    assign: async (serial) => ({ serial, release: async () => undefined }),
    quarantine: async (serial) => {
      quarantined.push(serial);
    },
  };
}

describe('BatchRunner', () => {
  it('runs every app exactly once across devices, one app per device at a time', async () => {
    const store = setup(12);
    const busy = new Set<string>();
    const runs: string[] = [];
    const runner: AppRunner = async (job, lease, onBundle) => {
      expect(busy.has(lease.serial)).toBe(false);
      busy.add(lease.serial);
      onBundle(`/captures/${job.id}`);
      await new Promise((r) => setTimeout(r, 5));
      runs.push(job.appPath);
      busy.delete(lease.serial);
      return { bundleDir: `/captures/${job.id}`, verdict: 'pass', ruleIds: [] };
    };
    const counts = await new BatchRunner(store, devices(['d1', 'd2', 'd3']), runner, { batchId: 'b1' }).run();
    expect(counts).toEqual({ queued: 0, running: 0, done: 12, failed: 0 });
    expect(new Set(runs).size).toBe(12);
    expect(runs).toHaveLength(12);
  });

  it('moves an app to another device when the device fails, and quarantines a device that keeps failing', async () => {
    const store = setup(4);
    const quarantined: string[] = [];
    const runner: AppRunner = async (job, lease) => {
      if (lease.serial === 'sick') throw new ConsentryError('DEVICE_LOST', 'device vanished', { retryable: true });
      return { bundleDir: `/c/${job.id}`, verdict: 'fail', ruleIds: ['CONSENT-PRE-COLLECT'] };
    };
    const counts = await new BatchRunner(store, devices(['sick', 'ok'], quarantined), runner, { batchId: 'b1', maxConsecutiveFailures: 2 }).run();
    expect(counts.done).toBe(4);
    expect(quarantined).toEqual(['sick']);
    const moved = store.jobs('b1').filter((j) => j.excludedDevices.includes('sick'));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((j) => j.device === 'ok' && j.status === 'done')).toBe(true);
  });

  it('records an app that fails on its own without retrying it forever', async () => {
    const store = setup(1);
    let calls = 0;
    const runner: AppRunner = async () => {
      calls += 1;
      throw new ConsentryError('INSTALL_REJECTED', 'INSTALL_FAILED_NO_MATCHING_ABIS');
    };
    const counts = await new BatchRunner(store, devices(['d1', 'd2']), runner, { batchId: 'b1' }).run();
    expect(counts.failed).toBe(1);
    expect(calls).toBe(1);
    expect(store.jobs('b1')[0]).toMatchObject({ errorCode: 'INSTALL_REJECTED', status: 'failed' });
  });

  it('resumes after a crash: running jobs are requeued, their partial bundles abandoned, finished ones kept', async () => {
    const store = setup(3);
    const first = store.claim('b1', 'd1')!;
    store.markDone(first.id, { bundleDir: '/c/1', verdict: 'pass', ruleIds: [] });
    const second = store.claim('b1', 'd1')!;
    store.setBundle(second.id, '/c/partial');
    // kill -9 here: second stays "running".
    expect(store.recoverInterrupted('b1')).toBe(1);
    const seen: string[] = [];
    const runner: AppRunner = async (job) => {
      seen.push(job.appPath);
      return { bundleDir: `/c/${job.id}-new`, verdict: 'pass', ruleIds: [] };
    };
    const counts = await new BatchRunner(store, devices(['d1']), runner, { batchId: 'b1' }).run();
    expect(counts.done).toBe(3);
    expect(seen.sort()).toEqual(['/apps/app1.apk', '/apps/app2.apk']);
    expect(store.jobs('b1')[1]!.abandonedBundles).toEqual(['/c/partial']);
  });

  it('fails jobs that no device may take once every device is quarantined', async () => {
    const store = setup(3);
    const runner: AppRunner = async () => {
      throw new ConsentryError('DEVICE_UNHEALTHY', 'no shell', { retryable: true });
    };
    const counts = await new BatchRunner(store, devices(['d1']), runner, { batchId: 'b1', maxConsecutiveFailures: 2 }).run();
    expect(counts.failed).toBe(3);
    expect(store.jobs('b1').some((j) => j.errorCode === 'NO_DEVICE_LEFT')).toBe(true);
  });
});

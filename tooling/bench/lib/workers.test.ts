import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApkRunResult } from './apk-static-result.js';
import { runWorker } from './child.js';
import { IngestionResult } from './ingestion-result.js';
import { RssSampler } from './rss.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Each case compiles a worker and starts node: slow on a loaded 2-core machine, never hangs (runWorker times out).
describe('benchmark workers (compiled and run as a separate node process)', { timeout: 90_000 }, () => {
  it('ingests every event into the bundle and the peer file, with RSS and timings reported', async () => {
    const run = (mode: string) =>
      runWorker(new URL('./ingestion-worker.ts', import.meta.url), ['--mode', mode, '--events', '2000', '--out', join(dir, mode)], IngestionResult, { timeoutMs: 60_000 });
    const ours = await run('consentry');
    const peer = await run('peer');
    for (const r of [ours, peer]) {
      expect(r.eventsRecorded).toBe(2000);
      expect(readFileSync(r.file, 'utf8').trimEnd().split('\n')).toHaveLength(2000);
      expect(r.rss.kernelPeakBytes).toBeGreaterThan(r.rss.baselineBytes / 2);
    }
    expect(ours.problems).toEqual([]);
    // The bundle adds ids, host time and attribution to what the agent sent.
    expect(ours.bytes).toBeGreaterThan(peer.bytes);
  });

  it("lists a real APK's package, permissions and classes", async () => {
    const apk = join(import.meta.dirname, '../../../lab/sample-apps/apks/umeng-preconsent.apk');
    const r = await runWorker(new URL('./apk-static-worker.ts', import.meta.url), ['--mode', 'listing', apk], ApkRunResult, { timeoutMs: 60_000 });
    expect(r.files).toHaveLength(1);
    expect(r.files[0]).toMatchObject({ package: 'com.consentry.sample.weather', permissions: expect.arrayContaining(['android.permission.READ_PHONE_STATE']) });
    expect(r.files[0]!.classes).toContain('com.umeng.commonsdk.UMConfigure');
  });
});

describe('RSS sampling', () => {
  it('sees a 64 MiB allocation as a peak above the baseline', () => {
    const sampler = new RssSampler(5).start();
    const big = Buffer.alloc(64 * 1024 * 1024, 1);
    sampler.sample();
    const report = sampler.stop();
    expect(big[big.length - 1]).toBe(1);
    expect(report.sampledPeakBytes - report.baselineBytes).toBeGreaterThan(48 * 1024 * 1024);
    expect(report.kernelPeakBytes).toBeGreaterThanOrEqual(report.sampledPeakBytes - 4096);
  });
});

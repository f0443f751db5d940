import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readBundle } from '../../product/evidence/bundle/reader.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { freePort } from '../../product/core/free-port.js';
import { runProcess } from '../../product/core/process.js';
import { JobStore } from '../../product/farm/job-store.js';

/**
 * `consentry batch` over 40 app runs on 8 virtual devices, killed with SIGKILL half way and
 * resumed with --resume: every app ends done exactly once, and the runs the kill interrupted
 * are recorded as abandoned, never counted.
 */
const CLI = ['--import', 'tsx', join(PACKAGE_ROOT, 'product', 'cli', 'main.ts')];
const DEVICES = 8;
const APPS = 40;
let adbPort = 0;
let work = '';
let configFile = '';
let farm: ChildProcess | undefined;

beforeAll(async () => {
  adbPort = await freePort();
  work = mkdtempSync(join(tmpdir(), 'consentry-batch-e2e-'));
  configFile = join(work, 'consentry.config.yaml');
  writeFileSync(configFile, stringify({ capturesRoot: join(work, 'captures'), stateDir: join(work, 'state'), logLevel: 'warn', adb: { port: adbPort } }));
  // 40 apps: the sample APKs under distinct names (a lab's folder of downloads).
  const apps = join(work, 'apps');
  mkdirSync(apps);
  const samples = readdirSync(join(PACKAGE_ROOT, 'lab', 'sample-apps', 'apks')).sort();
  for (let i = 0; i < APPS; i += 1) {
    const sample = samples[i % samples.length]!;
    copyFileSync(join(PACKAGE_ROOT, 'lab', 'sample-apps', 'apks', sample), join(apps, `${String(i).padStart(2, '0')}-${sample}`));
  }
  farm = spawn(process.execPath, [...CLI, 'virtual-device', '--count', String(DEVICES)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready: string[] = [];
  await new Promise<void>((resolve, reject) => {
    farm!.stdout!.on('data', (b: Buffer) => {
      for (const m of b.toString().matchAll(/ready (\S+)/g)) ready.push(m[1]!);
      if (ready.length === DEVICES) resolve();
    });
    farm!.once('exit', () => reject(new Error('virtual farm exited')));
  });
  for (const address of ready) await runProcess('adb', ['-P', String(adbPort), 'connect', address], { timeoutMs: 30_000 });
}, 120_000);

afterAll(async () => {
  farm?.kill('SIGTERM');
  await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 20_000, okCodes: [0, 1] }).catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

function batch(args: string[]): ChildProcess {
  // Its own process group, so the crash below takes its children (Appium, mitmdump) with it,
  // as a host crash would, and the test leaves nothing running.
  return spawn(process.execPath, [...CLI, '--config', configFile, '--json', 'batch', ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

describe('consentry batch on 8 virtual devices', () => {
  it('runs 40 apps, survives kill -9, and resumes without redoing or double-counting', async () => {
    const store = () => new JobStore(join(work, 'captures', 'farm.sqlite'));
    const first = batch([join(work, 'apps'), '--scenario', 'pre-consent-idle', '--observe-scale', '0.1']);
    let stderr = '';
    first.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    // Kill it hard once a dozen apps are done.
    await expect
      .poll(
        () => {
          const s = store();
          const batchId = s.latestBatch();
          const done = batchId ? s.counts(batchId).done : 0;
          s.close();
          return done;
        },
        { timeout: 600_000, interval: 1000 },
      )
      .toBeGreaterThanOrEqual(12);
    const exited = new Promise((r) => first.once('exit', r));
    process.kill(-first.pid!, 'SIGKILL');
    await exited;

    const before = store();
    const batchId = before.latestBatch()!;
    const doneBefore = new Map(before.jobs(batchId).filter((j) => j.status === 'done').map((j) => [j.id, j.bundleDir]));
    before.close();
    expect(doneBefore.size).toBeLessThan(APPS);

    const second = batch(['--resume']);
    let out = '';
    second.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    second.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code, stderr.slice(-3000)).toBe(0);
    const result = JSON.parse(out) as { batchId: string; counts: Record<string, number> };
    expect(result.batchId).toBe(batchId);
    expect(result.counts).toMatchObject({ done: APPS, failed: 0, queued: 0, running: 0 });

    const after = store();
    const jobs = after.jobs(batchId);
    after.close();
    // Finished apps were not redone: same bundle as before the kill.
    for (const [id, dir] of doneBefore) expect(jobs.find((j) => j.id === id)!.bundleDir).toBe(dir);
    // Every app has exactly one counted bundle, complete; interrupted runs are abandoned, incomplete.
    const counted = jobs.map((j) => j.bundleDir!);
    expect(new Set(counted).size).toBe(APPS);
    for (const dir of counted) expect((await readBundle(dir)).run.outcome).toBe('complete');
    const abandoned = jobs.flatMap((j) => j.abandonedBundles);
    expect(abandoned.length).toBeGreaterThan(0);
    const abandonedBundles = await Promise.all(abandoned.map((dir) => readBundle(dir, { strict: false })));
    for (const dir of abandoned) expect(counted).not.toContain(dir);
    // A run the kill cut short leaves a bundle that says it is incomplete. A run killed in the
    // last moments, after its bundle was finished but before the store recorded the job done,
    // is redone too: its finished bundle stays on disk, abandoned, never counted.
    for (const b of abandonedBundles) expect(b.incomplete || b.run.outcome === 'complete', b.dir).toBe(true);
    expect(abandonedBundles.some((b) => b.incomplete)).toBe(true);
    // Spread over the farm, one app per device at a time.
    expect(new Set(jobs.map((j) => j.device)).size).toBe(DEVICES);
    // Each device kept its Appium session between its apps: a session a run says it reused was
    // used before by the same device, and never by another one.
    const sessionsByDevice = new Map<string, Set<string>>();
    let reusedRuns = 0;
    const runs = await Promise.all(counted.map((dir) => readBundle(dir)));
    for (const { run, markers } of runs.sort((a, b) => a.run.startedAt - b.run.startedAt)) {
      const note = markers.find((m) => m.kind === 'note' && typeof m.data?.appiumSession === 'string');
      expect(note, `${run.runId} names its Appium session`).toBeDefined();
      const id = note!.data!.appiumSession as string;
      const seen = sessionsByDevice.get(run.device.serial) ?? new Set<string>();
      if (note!.data!.reused === true) {
        reusedRuns += 1;
        expect(seen.has(id), `${run.runId} reused a session its device had`).toBe(true);
      }
      for (const [serial, ids] of sessionsByDevice) if (serial !== run.device.serial) expect(ids.has(id)).toBe(false);
      sessionsByDevice.set(run.device.serial, seen.add(id));
    }
    expect(reusedRuns).toBeGreaterThan(0);
  }, 1_200_000);
});

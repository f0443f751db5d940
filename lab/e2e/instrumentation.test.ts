import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMeta } from '../../product/evidence/bundle/test-support/factories.js';
import { readBundle, type Bundle } from '../../product/evidence/bundle/reader.js';
import { BundleWriter } from '../../product/evidence/bundle/writer.js';
import { builtIn, PACKAGE_ROOT } from '../../product/core/paths.js';
import { freePort } from '../../product/core/free-port.js';
import { runProcess, type RunResult } from '../../product/core/process.js';
import { FridaInstrumentation, fridaModuleFor, readAgentBundle, type InstrumentedApp } from '../../product/capture/instrumentation/index.js';
import type { FridaApi } from '../../product/capture/instrumentation/index.js';
import { defaultDevicePlugins } from '../virtual-device/default-plugins.js';
import { startVirtualFarm, type VirtualFarm } from '../virtual-device/index.js';

/**
 * The instrumentation stage end to end: a virtual device with its default plugins (app runtime
 * and Frida-compatible service), the real adb on its own server, `adb forward` to device port
 * 27042, the frida module the pipeline picks for a virtual device, the real built agent, and a
 * sample APK launched the way a scenario launches it (`monkey`), so spawn gating has to catch it.
 */

const PKG = 'com.consentry.sample.weather';
const APK = join(PACKAGE_ROOT, 'lab/sample-apps/apks/umeng-preconsent.apk');

let farm: VirtualFarm;
let serial: string;
let adbPort: number;
let fridaAddress: string;
let agentSource: string;
let work: string;
let runs = 0;
const fridaModules: FridaApi[] = [];

function adb(args: string[], okCodes = [0]): Promise<RunResult> {
  return runProcess('adb', ['-P', String(adbPort), ...args], { timeoutMs: 60_000, okCodes });
}
function shell(command: string, okCodes = [0]): Promise<RunResult> {
  // A launch held by spawn gating would block monkey: fail in bounded time instead.
  return runProcess('adb', ['-P', String(adbPort), '-s', serial, 'shell', command], { timeoutMs: 20_000, okCodes });
}

/** Polls until `check` holds, at most `timeoutMs`; the test fails with `what` otherwise. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function pidOf(pkg: string): Promise<number | undefined> {
  const { stdout } = await shell(`pidof ${pkg}`, [0, 1]);
  const pid = Number(stdout.trim().split(/\s+/)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function bundleWriter(): BundleWriter {
  runs += 1;
  const meta = runMeta({ runId: `instr-${runs}`, app: { package: PKG }, coverage: {}, device: { serial, profile: 'virtual', clockOffsetMs: 0 } });
  return BundleWriter.create(work, { ...meta, startedAt: Date.now(), outcome: 'running' });
}

async function frida(): Promise<FridaApi> {
  const module = await fridaModuleFor({ virtual: true });
  fridaModules.push(module);
  return module;
}

async function instrument(writer: BundleWriter): Promise<InstrumentedApp> {
  const adapter = new FridaInstrumentation({ frida: await frida(), device: { kind: 'remote', address: fridaAddress }, agentSource, readyTimeoutMs: 15_000 });
  return adapter.start({ packageName: PKG, sink: writer });
}

/** One run as the pipeline does it: arm, launch with monkey, wait for the SDK's reads, force-stop. */
async function oneRun(): Promise<{ bundle: Bundle; pid: number }> {
  const writer = bundleWriter();
  const app = await instrument(writer);
  const monkey = await shell(`monkey -p ${PKG} -c android.intent.category.LAUNCHER 1`);
  expect(monkey.stdout).toContain('Events injected: 1');
  await until('the app process', async () => (await pidOf(PKG)) !== undefined);
  const pid = (await pidOf(PKG))!;
  await until('the Umeng reads in the bundle', async () => {
    await app.flush(2000);
    return writer.counts.events >= 3;
  });
  await shell(`am force-stop ${PKG}`);
  await until('the app.exit marker', () => writer.counts.markers >= 2);
  await app.stop();
  await writer.finish('complete');
  return { bundle: await readBundle(writer.dir), pid };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'consentry-instr-e2e-'));
  if (!existsSync(join(builtIn.agentsDist, 'privacy.js'))) {
    await runProcess(process.execPath, [join(PACKAGE_ROOT, 'tooling', 'scripts', 'build-agents.mjs')], { timeoutMs: 120_000 });
  }
  agentSource = readAgentBundle();
  farm = await startVirtualFarm({ count: 1, plugins: defaultDevicePlugins() });
  serial = farm.devices[0]!.serial;
  adbPort = await freePort();
  await runProcess('adb', ['-P', String(adbPort), 'start-server'], { timeoutMs: 30_000 });
  expect((await adb(['connect', serial])).stdout).toContain(`connected to ${serial}`);
  await adb(['-s', serial, 'wait-for-device']);
  const hostPort = await freePort();
  await adb(['-s', serial, 'forward', `tcp:${hostPort}`, 'tcp:27042']);
  fridaAddress = `127.0.0.1:${hostPort}`;
  expect((await adb(['-s', serial, 'install', '-g', APK])).stdout).toContain('Success');
});

afterAll(async () => {
  for (const m of fridaModules) (m as FridaApi & { closeAll?: () => void }).closeAll?.();
  if (adbPort) await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 15_000, okCodes: [0, 1] }).catch(() => undefined);
  await farm?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('instrumentation through adb forward against the virtual device', () => {
  it('catches a monkey launch by spawn gating and records the SDK reads with stacks and attribution', async () => {
    const { bundle, pid } = await oneRun();
    const byType = (t: string) => bundle.events.filter((e) => e.dataType === t);

    const androidId = byType('android-id');
    expect(androidId.length).toBeGreaterThanOrEqual(1);
    expect(androidId[0]!.outcome.kind).toBe('returned');
    expect(androidId[0]!.ret).toBe(farm.devices[0]!.os.identity.androidId);

    const deviceId = byType('device-id');
    expect(deviceId.length).toBeGreaterThanOrEqual(1);
    // targetSdk 30 on Android 13: the IMEI read throws, and the attempt is still evidence.
    expect(deviceId[0]!.outcome.kind).toBe('threw');
    expect(deviceId[0]!.outcome.error).toMatch(/SecurityException/);

    for (const e of [...androidId, ...deviceId]) {
      expect(e.pid).toBe(pid);
      expect(e.process).toBe(PKG);
      expect(e.stack.length).toBeGreaterThan(1);
      expect(e.stack.some((f) => f.startsWith('com.umeng.'))).toBe(true);
      expect(e.attribution).toMatchObject({ party: 'sdk', sdk: 'umeng' });
    }
    // The hooks were in before the app's first line: Application.onCreate is itself recorded.
    expect(bundle.events.some((e) => e.dataType === 'lifecycle' && e.api === 'android.app.Application.onCreate')).toBe(true);

    const kinds = bundle.markers.map((m) => m.kind);
    expect(kinds).toContain('instrumentation.attached');
    expect(kinds).toContain('app.exit');
    expect(kinds).not.toContain('instrumentation.died');
    expect(bundle.run.coverage.instrumentation).toBe('active');
    expect(await pidOf(PKG)).toBeUndefined();
  });

  it('runs twice in a row on the same device, across an uninstall and a reinstall', async () => {
    const first = await oneRun();
    expect((await adb(['-s', serial, 'uninstall', PKG])).stdout).toContain('Success');
    expect((await adb(['-s', serial, 'install', '-g', APK])).stdout).toContain('Success');
    const second = await oneRun();
    expect(second.pid).not.toBe(first.pid);
    for (const { bundle } of [first, second]) {
      expect(bundle.events.filter((e) => e.dataType === 'android-id' && e.attribution?.sdk === 'umeng').length).toBeGreaterThanOrEqual(1);
      expect(bundle.markers.map((m) => m.kind)).not.toContain('instrumentation.died');
      expect(bundle.run.coverage.instrumentation).toBe('active');
    }
  });

  it('lets the app run when the frida client that gated its spawn disconnects', async () => {
    // A client that enables gating and then never resumes anything: the worst case.
    const module = await frida();
    const device = await module.getDeviceManager().addRemoteDevice(fridaAddress);
    await device.enableSpawnGating();
    const launched = shell(`monkey -p ${PKG} 1`);
    await until('the suspended spawn', async () => (await device.enumeratePendingSpawn()).some((s) => s.identifier === PKG));
    const pending = (await device.enumeratePendingSpawn()).find((s) => s.identifier === PKG)!;
    // The process exists but has not run its first line.
    expect(await pidOf(PKG)).toBe(pending.pid);
    (module as FridaApi & { closeAll(): void }).closeAll();
    const result = await launched;
    expect(result.stdout).toContain('Events injected: 1');
    // Gating ended with the client: a later launch is not held either.
    await shell(`am force-stop ${PKG}`);
    await shell(`monkey -p ${PKG} 1`);
    expect(await pidOf(PKG)).toBeDefined();
    // And the next instrumented run still works on this device.
    await shell(`am force-stop ${PKG}`);
    const next = await oneRun();
    expect(next.bundle.events.some((e) => e.dataType === 'android-id')).toBe(true);
  });

  it('keeps gating on for the run in progress when an older client goes away', async () => {
    const stale = await frida();
    await (await stale.getDeviceManager().addRemoteDevice(fridaAddress)).enableSpawnGating();
    const writer = bundleWriter();
    const app = await instrument(writer);
    (stale as FridaApi & { closeAll(): void }).closeAll();
    await shell(`monkey -p ${PKG} 1`);
    await until('the Umeng reads in the bundle', async () => {
      await app.flush(2000);
      return writer.counts.events >= 3;
    });
    await shell(`am force-stop ${PKG}`);
    await app.stop();
    await writer.finish('complete');
    const bundle = await readBundle(writer.dir);
    // Still caught before its first line: the hooks saw Application.onCreate.
    expect(bundle.events.some((e) => e.dataType === 'lifecycle' && e.api === 'android.app.Application.onCreate')).toBe(true);
    expect(bundle.events.some((e) => e.dataType === 'android-id')).toBe(true);
  });

  it('resumes a process a client spawned and left suspended when that client goes away', async () => {
    const module = await frida();
    const device = await module.getDeviceManager().addRemoteDevice(fridaAddress);
    // ActivityTaskManager logs "Displayed PKG/..." once the app has run its first activity.
    const displayed = async () => (await shell('logcat -d -s ActivityTaskManager')).stdout.split('\n').filter((l) => l.includes(`Displayed ${PKG}/`)).length;
    const before = await displayed();
    const pid = await device.spawn(PKG);
    expect(await pidOf(PKG)).toBe(pid);
    await new Promise((r) => setTimeout(r, 300));
    expect(await displayed()).toBe(before);
    (module as FridaApi & { closeAll(): void }).closeAll();
    await until('the app to run its first activity', async () => (await displayed()) === before + 1);
    expect(await pidOf(PKG)).toBe(pid);
    await shell(`am force-stop ${PKG}`);
  });

  it('releases gating when the instrumenting adapter loses its connection mid-run', async () => {
    const writer = bundleWriter();
    const module = await frida();
    const adapter = new FridaInstrumentation({ frida: module, device: { kind: 'remote', address: fridaAddress }, agentSource, readyTimeoutMs: 15_000 });
    const app = await adapter.start({ packageName: PKG, sink: writer });
    (module as FridaApi & { closeAll(): void }).closeAll();
    // Nothing resumes spawns any more on this side; the device must not hold the launch.
    const monkey = await shell(`monkey -p ${PKG} 1`);
    expect(monkey.stdout).toContain('Events injected: 1');
    expect(await pidOf(PKG)).toBeDefined();
    await app.stop();
    await writer.finish('complete');
    const bundle = await readBundle(writer.dir);
    expect(bundle.markers.map((m) => m.kind)).toContain('instrumentation.died');
    expect(bundle.run.coverage.instrumentation).toBe('died');
    await shell(`am force-stop ${PKG}`);
  });
});

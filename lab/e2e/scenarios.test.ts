import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeBundle } from '../../product/judge/analysis/index.js';
import { buildTestApk } from '../../product/evidence/apps/test-support/index.js';
import { specFromModelFile } from '../sample-apps/model-apk.js';
import { runMeta } from '../../product/evidence/bundle/test-support/factories.js';
import { readBundle, type Bundle, type Marker } from '../../product/evidence/bundle/index.js';
import { BundleWriter } from '../../product/evidence/bundle/writer.js';
import { createAdbClient } from '../../product/capture/devices/index.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { freePort } from '../../product/core/free-port.js';
import { runProcess } from '../../product/core/process.js';
import {
  adbkitShell,
  AppiumServer,
  ensureAndroidHome,
  loadScenario,
  measureDeviceClock,
  parseScenarioText,
  openUiSession,
  scaleObservation,
  ScenarioRunner,
  type DeviceShell,
  type Scenario,
  type ScenarioResult,
  type UiSession,
} from '../../product/capture/scenarios/index.js';
import { SAMPLE_APPS_DIR } from '../sample-apps/index.js';

/**
 * Every built-in scenario played on the virtual device's sample apps through the real adb
 * server, the real Appium 3 server and its real UiAutomator2 driver. The bundle's markers,
 * screenshots and UI trees are checked against what each app model says happens: the refusal
 * path with its "are you sure?", the re-prompt after a denial, the app that quits. Only the
 * set-up knows the device is virtual; the scenarios run exactly as on a phone.
 */

interface VirtualDevice {
  serial: string;
  port: number;
  os: { now(): number };
  stop(): Promise<void> | void;
}
interface Farm {
  devices: VirtualDevice[];
  stop(): Promise<void> | void;
}
interface AppState {
  consent: 'pending' | 'accepted' | 'refused';
}
interface Host {
  stateOf(pkg: string): AppState | undefined;
}

const LAUNCHER = join(PACKAGE_ROOT, 'lab', 'virtual-device', 'launcher.ts');
const ATTACH = join(PACKAGE_ROOT, 'lab', 'virtual-device', 'app-runtime', 'index.ts');
const OBSERVE_SCALE = 0.05;

const APPS = {
  umeng: { model: 'umeng-preconsent.model.yaml', pkg: 'com.consentry.sample.weather' },
  cameraNag: { model: 'camera-nag.model.yaml', pkg: '' },
  quitsOnDeny: { model: 'quits-on-deny.model.yaml', pkg: '' },
  locationAfterRefusal: { model: 'location-after-refusal.model.yaml', pkg: '' },
  compliant: { model: 'compliant-reader.model.yaml', pkg: 'com.consentry.sample.reader' },
  shakeSplashAd: { model: 'shake-splash-ad.model.yaml', pkg: '' },
  pangle: { model: 'pangle-imei-ads.model.yaml', pkg: '' },
};

let farm: Farm | undefined;
let device: VirtualDevice;
let host: Host;
let adbPort = 0;
let appium: AppiumServer | undefined;
let session: UiSession | undefined;
let shell: DeviceShell;
let sdkDir = '';
const bundlesRoot = mkdtempSync(join(tmpdir(), 'consentry-scenarios-e2e-'));
const apks = new Map<string, string>();

async function adb(...args: string[]): Promise<string> {
  return (await runProcess('adb', ['-P', String(adbPort), ...args], { timeoutMs: 120_000 })).stdout;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function packageOf(modelFile: string): string {
  const m = /package:\s*([\w.]+)/.exec(readFileSync(join(SAMPLE_APPS_DIR, modelFile), 'utf8'));
  return m![1]!;
}

async function apkFor(modelFile: string): Promise<string> {
  let apk = apks.get(modelFile);
  if (!apk) {
    apk = await buildTestApk(await specFromModelFile(join(SAMPLE_APPS_DIR, modelFile)));
    apks.set(modelFile, apk);
  }
  return apk;
}

async function freshInstall(modelFile: string, pkg: string): Promise<void> {
  await shell.shell(`pm uninstall ${pkg}`, 60_000).catch(() => '');
  await shell.install(await apkFor(modelFile));
}

async function play(app: { model: string; pkg: string }, scenarioOrId: string | Scenario): Promise<{ result: ScenarioResult; bundle: Bundle; dir: string }> {
  const scenario = typeof scenarioOrId === 'string' ? loadScenario(scenarioOrId) : scenarioOrId;
  const scenarioId = scenario.id;
  const pkg = app.pkg || packageOf(app.model);
  await freshInstall(app.model, pkg);
  const offset = await measureDeviceClock(shell);
  const writer = BundleWriter.create(bundlesRoot, {
    ...runMeta({ runId: `${scenarioId}-${pkg}-${Date.now()}`, app: { package: pkg }, scenario: { id: scenarioId } }),
    device: { serial: shell.serial, profile: 'virtual-device', clockOffsetMs: offset?.offsetMs ?? 0 },
    outcome: 'running',
    endedAt: undefined,
  });
  const runner = new ScenarioRunner({
    device: shell,
    driver: session!.driver,
    writer,
    appPackage: pkg,
    clockOffsetMs: offset?.offsetMs ?? 0,
    pollMs: 250,
    waitScale: 0.4,
    reinstall: () => freshInstall(app.model, pkg),
  });
  const result = await runner.run(scaleObservation(scenario, OBSERVE_SCALE));
  await writer.finish(result.outcome === 'failed' ? 'failed' : 'complete', result.reason);
  return { result, bundle: await readBundle(writer.dir), dir: writer.dir };
}

const only = (m: Marker[], kind: Marker['kind']) => m.filter((x) => x.kind === kind);
/** The rules' reading of the bundle (markers and UI trees; no hooks or traffic in this test). */
const findingIds = async (dir: string) => [...new Set((await analyzeBundle(dir, { write: false, analysedAt: 1 })).doc.findings.map((f) => f.ruleId))];
const order = (m: Marker[], kind: Marker['kind']) => m.findIndex((x) => x.kind === kind);

describe.skipIf(!existsSync(LAUNCHER))('built-in scenarios on the virtual device through Appium', () => {
  beforeAll(async () => {
    // The launcher and app runtime are the virtual device's; loaded by path so this file
    // compiles before they land.
    const launcher = (await import(LAUNCHER)) as { startVirtualFarm(o: { count: number; host: string; clockSkewMs?: number }): Promise<Farm> };
    const runtime = (await import(ATTACH)) as { attachAppRuntime(os: unknown): { host: Host } };
    // A skewed device clock, so the offset measurement has something to find.
    farm = await launcher.startVirtualFarm({ count: 1, host: '127.0.0.1', clockSkewMs: -37_250 });
    device = farm.devices[0]!;
    ({ host } = runtime.attachAppRuntime(device.os));

    adbPort = await freePort();
    await adb('start-server');
    await adb('connect', `127.0.0.1:${device.port}`);
    const serial = `127.0.0.1:${device.port}`;
    await until('adb to list the device', async () => ((await adb('devices')).includes(`${serial}\tdevice`) ? true : undefined));
    shell = adbkitShell(createAdbClient({ path: 'adb', host: '127.0.0.1', port: adbPort }), serial);

    sdkDir = ensureAndroidHome(mkdtempSync(join(tmpdir(), 'consentry-sdk-')));
    appium = await AppiumServer.start({ home: join(PACKAGE_ROOT, '.appium'), androidHome: sdkDir, startTimeoutMs: 90_000 });
    session = await openUiSession(
      appium.url,
      { udid: serial, adbPort },
      { skipServerInstallation: true, skipDeviceInitialization: true },
      { attempts: 2, backoffMs: 1000 },
    );
  });

  afterAll(async () => {
    await session?.driver.close().catch(() => undefined);
    await appium?.stop();
    if (adbPort) await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 20_000, okCodes: [0, 1] }).catch(() => undefined);
    await farm?.stop();
    if (sdkDir) rmSync(sdkDir, { recursive: true, force: true });
    rmSync(bundlesRoot, { recursive: true, force: true });
  });

  it('measures the device clock offset to well within 50 ms', async () => {
    const offset = await measureDeviceClock(shell);
    expect(offset).toBeDefined();
    const truth = Date.now() - device.os.now();
    expect(Math.abs(offset!.offsetMs - truth)).toBeLessThan(50);
  });

  it('pre-consent-idle: notes the privacy dialog and touches nothing', async () => {
    const { result, bundle } = await play(APPS.umeng, 'pre-consent-idle');
    expect(result.outcome).toBe('complete');
    expect(only(bundle.markers, 'consent.shown').length).toBeGreaterThanOrEqual(1);
    expect(only(bundle.markers, 'consent.accepted')).toHaveLength(0);
    expect(only(bundle.markers, 'consent.refused')).toHaveLength(0);
    expect(host.stateOf(APPS.umeng.pkg)?.consent).toBe('pending');
  });

  it('refuse-consent: refuses, confirms "退出应用", and records the app quitting, with screenshots and trees', async () => {
    const { result, bundle, dir } = await play(APPS.umeng, 'refuse-consent');
    expect(result.failedSteps).toBe(0);
    const m = bundle.markers;
    expect(only(m, 'consent.shown').map((x) => x.data?.dialog)).toEqual(['policy', 'confirmation']);
    expect(only(m, 'consent.refused')[0]!.data).toMatchObject({ button: '不同意 | 退出应用', confirmations: 1 });
    expect(order(m, 'app.exit')).toBeGreaterThan(order(m, 'consent.refused'));
    expect(host.stateOf(APPS.umeng.pkg)?.consent).toBe('refused');
    // The dialog's snapshot: a real PNG and the UI tree with the dialog's buttons.
    const shown = only(m, 'consent.shown')[0]!;
    const ui = bundle.ui.find((u) => u.id === shown.ui)!;
    expect(readFileSync(join(dir, ui.screenshot!)).subarray(0, 4).toString('latin1')).toBe('\x89PNG');
    expect(readFileSync(join(dir, ui.tree!), 'utf8')).toContain(`${APPS.umeng.pkg}:id/btn_disagree`);
    for (const step of only(m, 'step')) expect(step.tEnd).toBeGreaterThanOrEqual(step.t);
  });

  it('refuse-consent on an app that keeps running: "仍不同意" and no exit', async () => {
    const { bundle } = await play(APPS.locationAfterRefusal, 'refuse-consent');
    expect(only(bundle.markers, 'consent.refused')[0]!.data).toMatchObject({ button: '不同意 | 仍不同意', confirmations: 1 });
    expect(only(bundle.markers, 'app.exit')).toHaveLength(0);
  });

  it('accept-deny-permissions: the app that quits when a permission is denied', async () => {
    const { bundle } = await play(APPS.quitsOnDeny, 'accept-deny-permissions');
    const m = bundle.markers;
    expect(only(m, 'consent.accepted')).toHaveLength(1);
    expect(only(m, 'permission.requested')[0]!.data).toMatchObject({ group: 'phone', purposeShown: true });
    expect(only(m, 'permission.denied')[0]!.data).toMatchObject({ group: 'phone' });
    expect(order(m, 'app.exit')).toBeGreaterThan(order(m, 'permission.denied'));
  });

  it('deny-then-relaunch: the denied camera permission is asked again on relaunch', async () => {
    const { bundle } = await play(APPS.cameraNag, 'deny-then-relaunch');
    const requested = only(bundle.markers, 'permission.requested');
    expect(requested.length).toBeGreaterThanOrEqual(2);
    expect(requested[0]!.data).toMatchObject({ group: 'camera', reprompt: false });
    expect(requested.slice(1).every((r) => r.data?.reprompt === true)).toBe(true);
    expect(only(bundle.markers, 'permission.purpose-shown').length).toBeGreaterThanOrEqual(1);
  });

  it('accept-grant-permissions and accept-consent on the compliant app', async () => {
    const granted = await play(APPS.compliant, 'accept-grant-permissions');
    expect(granted.result.failedSteps).toBe(0);
    expect(only(granted.bundle.markers, 'consent.accepted')).toHaveLength(1);
    expect(host.stateOf(APPS.compliant.pkg)?.consent).toBe('accepted');
    const accepted = await play(APPS.compliant, 'accept-consent');
    expect(only(accepted.bundle.markers, 'consent.accepted')).toHaveLength(1);
    expect(only(accepted.bundle.markers, 'permission.granted')).toHaveLength(0);
  });

  it('background-idle: marks the app in the background and back', async () => {
    const { bundle } = await play(APPS.locationAfterRefusal, 'background-idle');
    const m = bundle.markers;
    expect(order(m, 'app.background')).toBeGreaterThan(order(m, 'consent.accepted'));
    const fg = m.map((x, i) => (x.kind === 'app.foreground' ? i : -1)).filter((i) => i >= 0);
    expect(fg[fg.length - 1]).toBeGreaterThan(order(m, 'app.background'));
  });

  it('accept-consent: a splash ad with no close control is noted, closable:false, and UI-UNCLOSABLE-POPUP reports it', async () => {
    const { result, bundle, dir } = await play(APPS.shakeSplashAd, 'accept-consent');
    expect(result.failedSteps).toBe(0);
    const shown = only(bundle.markers, 'popup.shown');
    expect(shown.length).toBeGreaterThanOrEqual(1);
    expect(shown[0]!.data).toMatchObject({ popup: 'ad', closable: false, name: '摇一摇 了解更多' });
    expect(readFileSync(join(dir, bundle.ui.find((u) => u.id === shown[0]!.ui)!.tree!), 'utf8')).toContain('ksad_splash_image');
    expect(await findingIds(dir)).toContain('UI-UNCLOSABLE-POPUP');
  });

  it('accept-consent: an interstitial with a close icon is closed by dismiss-popups, and no pop-up finding', async () => {
    const { bundle, dir } = await play(APPS.pangle, 'accept-consent');
    const handled = only(bundle.markers, 'popup.shown').find((m) => m.data?.closeAttempted === true);
    expect(handled?.data).toMatchObject({ popup: 'ad', closable: true, control: '关闭', closed: true });
    expect(only(bundle.markers, 'popup.closed')).toHaveLength(1);
    expect(await findingIds(dir)).not.toContain('UI-UNCLOSABLE-POPUP');
  });

  it('find-policy: the compliant app\u2019s policy is two taps from the main screen (我的 › 隐私政策)', async () => {
    const scenario = parseScenarioText('id: policy\ndescription: d\nsteps:\n  - launch\n  - consent: accept\n  - dismiss-popups\n  - find-policy\n', 'policy.yaml');
    const { result, bundle, dir } = await play(APPS.compliant, scenario);
    expect(result.failedSteps).toBe(0);
    const search = bundle.markers.find((m) => typeof m.data?.policySearch === 'string');
    expect(search?.data).toMatchObject({ policySearch: 'found', policyTaps: 2, path: '我的 › 隐私政策' });
    expect(only(bundle.markers, 'popup.shown')).toHaveLength(0);
    const ids = await findingIds(dir);
    expect(ids).not.toContain('POLICY-UNREACHABLE');
    expect(ids).not.toContain('UI-UNCLOSABLE-POPUP');
  });

  it('deny-then-relaunch: the blocking screen after a denied phone permission is noted for PERM-FORCED', async () => {
    const { bundle, dir } = await play(APPS.quitsOnDeny, 'deny-then-relaunch');
    const blocking = bundle.markers.filter((m) => m.data?.blocking === true);
    expect(blocking).toHaveLength(1);
    expect(blocking[0]!.data).toMatchObject({ text: '未获得电话权限，无法进入游戏。', deniedGroups: 'phone' });
    expect(await findingIds(dir)).toContain('PERM-FORCED');
  });

  it('standard: every part on a fresh install, and a policy search from the main screen', async () => {
    const { result, bundle } = await play(APPS.umeng, 'standard');
    expect(result.outcome).toBe('complete');
    const m = bundle.markers;
    expect(only(m, 'app.install')).toHaveLength(3);
    expect(only(m, 'consent.refused')).toHaveLength(1);
    expect(only(m, 'consent.accepted')).toHaveLength(2);
    expect(only(m, 'consent.accepted').every((a) => typeof a.data?.tPressed === 'number' && a.data.tPressed <= a.t)).toBe(true);
    expect(only(m, 'step').filter((s) => s.data?.kind === 'part').map((s) => s.data?.part)).toEqual([
      'before consent',
      'refusal',
      'first relaunch',
      'second relaunch',
      'denial and re-prompt',
      'grant',
      'privacy policy',
      'background',
    ]);
    // The weather app's main screen has no settings, about or me entry: the search cannot judge.
    expect(m.find((x) => typeof x.data?.policySearch === 'string')?.data).toMatchObject({ policySearch: 'no-entry', policyTaps: 0 });
    expect(only(m, 'popup.shown')).toHaveLength(0);
  });
});

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtIn, PACKAGE_ROOT } from '../../product/core/paths.js';
import { freePort } from '../../product/core/free-port.js';
import { runProcess } from '../../product/core/process.js';
import {
  AdbDeviceProvider,
  DevicePool,
  DevicePreparer,
  LeaseClaims,
  QuarantineStore,
  installApp,
  loadProfiles,
  readCaCertificate,
  type DeviceLease,
} from '../../product/capture/devices/index.js';
import { makeTestCaPem } from '../../product/capture/devices/test-support/testing-ca.js';
import { startVirtualFarm, type VirtualFarm } from '../virtual-device/index.js';
import { SAMPLE_APPS_DIR } from '../sample-apps/index.js';

/**
 * The device pool against 4 virtual devices through the real adb server (its own, on a free
 * port), with real adbkit: lease, prepare (proxy, CA, instrumentation), install real APKs,
 * reset, tear down, release; and a device killed mid-lease → lease lost, device offline.
 */
const SETTINGS_APK = join(PACKAGE_ROOT, '.appium/node_modules/appium-uiautomator2-driver/node_modules/io.appium.settings/apks/settings_apk-debug.apk');

let adbPort: number;
let work: string;
let farm: VirtualFarm | undefined;
let pool: DevicePool | undefined;

/** A real third-party APK plus the sample apps (built by the virtual-device engineer). */
function appFiles(): string[] {
  const dir = join(SAMPLE_APPS_DIR, 'apks');
  const samples = existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.apk')).sort().map((n) => join(dir, n)) : [];
  return [SETTINGS_APK, ...samples];
}

describe('device pool on 4 virtual devices through the real adb', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'consentry-devices-e2e-'));
    adbPort = await freePort();
    await runProcess('adb', ['-P', String(adbPort), 'start-server'], { timeoutMs: 30_000 });
    // The shipped virtual-device profile matches the model name.
    farm = await startVirtualFarm({ count: 4, identity: { model: 'Consentry Virtual' } });
    const provider = new AdbDeviceProvider({
      server: { path: 'adb', host: '127.0.0.1', port: adbPort },
      networkDevices: farm.devices.map((d) => d.serial),
    });
    pool = await DevicePool.open({
      provider,
      profiles: loadProfiles(builtIn.deviceProfiles),
      quarantine: new QuarantineStore(join(work, 'captures', '.devices', 'quarantine.json')),
      claims: new LeaseClaims(join(work, 'captures', '.devices', 'leases')),
      maxConsecutiveFailures: 3,
      heartbeatTimeoutMs: 60_000,
      maxLeaseMs: 600_000,
      offlineGraceMs: 1_000,
    });
    const deadline = Date.now() + 30_000;
    while (pool.snapshot().filter((d) => d.state === 'device').length < 4) {
      if (Date.now() > deadline) throw new Error(`adb did not list 4 devices: ${JSON.stringify(pool.snapshot())}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  });

  afterAll(async () => {
    await pool?.close();
    await farm?.stop();
    if (adbPort) await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 15_000 }).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('leases all four, prepares them, installs the apps, resets and releases', async () => {
    const { intakeApp } = await import('../../product/evidence/apps/index.js');
    const ca = readCaCertificate(makeTestCaPem());
    const hostProxyPort = await freePort();
    const leases: DeviceLease[] = await Promise.all([0, 1, 2, 3].map(() => pool!.lease({ profile: 'virtual-device', timeoutMs: 60_000, holder: 'e2e' })));
    expect(new Set(leases.map((l) => l.serial)).size).toBe(4);
    // A fifth request finds every device busy.
    await expect(pool!.lease({ timeoutMs: 1_500 })).rejects.toThrow(/leased/);

    const catalogue = appFiles();
    await Promise.all(
      leases.map(async (lease, i) => {
        expect(lease.facts.apiLevel).toBeGreaterThan(20);
        const prep = new DevicePreparer(lease);
        await prep.setProxy(hostProxyPort);
        expect((await lease.device.shell('settings get global http_proxy')).trim()).toBe(`127.0.0.1:${hostProxyPort}`);
        const caSetup = await prep.installCa(ca);
        expect(caSetup).toMatchObject({ method: 'system-file', verified: true });
        await prep.startInstrumentationServer();
        // The instrumentation forward: a host port the adb server chose and bound, gone once removed.
        const forwards = async () => (await runProcess('adb', ['-P', String(adbPort), 'forward', '--list'], { timeoutMs: 15_000 })).stdout;
        const fridaPort = await lease.device.forwardFromFreePort('tcp:27042');
        expect(await forwards()).toContain(`${lease.serial} tcp:${fridaPort} tcp:27042`);
        await lease.device.removeForward(fridaPort);
        expect(await forwards()).not.toContain(`tcp:${fridaPort} `);

        const pkg = await intakeApp(catalogue[i % catalogue.length]!);
        await prep.resetApp(pkg.packageName);
        const result = await installApp(lease, pkg, prep.journal);
        expect(result.devicePaths.length).toBeGreaterThan(0);
        expect(await lease.device.shell(`pm list packages ${pkg.packageName}`)).toContain(`package:${pkg.packageName}`);
        lease.heartbeat();

        await prep.resetApp(pkg.packageName);
        expect(await lease.device.shell(`pm list packages ${pkg.packageName}`)).not.toContain(`package:${pkg.packageName}\n`);
        const report = await prep.teardown();
        expect(report.failed).toEqual([]);
        expect((await lease.device.shell('settings get global http_proxy')).trim()).toMatch(/^(null|:0|)$/);
        expect(await lease.device.shell(`cat /system/etc/security/cacerts/${ca.fileName}`)).not.toContain('BEGIN CERTIFICATE');
        await lease.release({ ok: true });
      }),
    );
    expect(statSync(SETTINGS_APK).size).toBeGreaterThan(0);
    expect(pool!.snapshot().every((d) => !d.lease)).toBe(true);
  });

  it('survives a device killed mid-lease: lease lost, device offline, the others still lease', async () => {
    const victim = farm!.devices[3]!;
    const lease = await pool!.lease({ serial: victim.serial, timeoutMs: 30_000 });
    const lost = Promise.race([
      lease.lost,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('lease not lost within 30 s')), 30_000)),
    ]);
    await victim.stop();
    const end = await lost;
    expect(['device-removed', 'device-offline']).toContain(end.reason);
    expect(lease.signal.aborted).toBe(true);
    // Work still in flight on the dead transport fails instead of hanging.
    await expect(lease.device.shell('getprop ro.product.model', { timeoutMs: 5_000 })).rejects.toThrow();
    expect(pool!.snapshot().find((d) => d.serial === lease.serial)?.state).toMatch(/offline/);

    const others = await Promise.all([0, 1, 2].map(() => pool!.lease({ timeoutMs: 30_000 })));
    expect(others.map((l) => l.serial)).not.toContain(lease.serial);
    await Promise.all(others.map((l) => l.release({ ok: true })));
  });
});

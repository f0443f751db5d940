import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { freePort } from '../../product/core/free-port.js';
import { runProcess } from '../../product/core/process.js';
import { startVirtualFarm, type VirtualFarm } from '../virtual-device/index.js';

/**
 * `consentry doctor --device SERIAL` in its own process, through the real adb server (its own,
 * on a free port), against a virtual device: ready as it comes, then configured to fail a check
 * the way a lab's phone would (a proxy left set by a killed run). Every other check failing is
 * covered with scripted phones in product/capture/devices/device-doctor.test.ts.
 */
const CLI = join(PACKAGE_ROOT, 'product', 'cli', 'main.ts');
let adbPort: number;
let work: string;
let config: string;
let farm: VirtualFarm | undefined;

const adb = (...args: string[]) => runProcess('adb', ['-P', String(adbPort), ...args], { timeoutMs: 30_000 });
const doctor = (serial: string) =>
  runProcess(process.execPath, ['--import', 'tsx', CLI, '-c', config, '--json', 'doctor', '--device', serial], { timeoutMs: 120_000, cwd: PACKAGE_ROOT, okCodes: [0, 3] });

interface DoctorDoc {
  ok: boolean;
  checks: { id: string; ok: boolean; required: boolean; detail: string; fix?: string }[];
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'consentry-doctor-device-'));
  adbPort = await freePort();
  await adb('start-server');
  farm = await startVirtualFarm({ count: 1, identity: { model: 'Consentry Virtual' } });
  await adb('connect', farm.devices[0]!.serial);
  config = join(work, 'consentry.config.yaml');
  writeFileSync(config, `adb:\n  port: ${adbPort}\ncapturesRoot: ${join(work, 'captures')}\nstateDir: ${join(work, 'state')}\n`);
  const listed = new RegExp(`${farm.devices[0]!.serial}\\s+device`);
  for (const deadline = Date.now() + 30_000; !listed.test((await adb('devices')).stdout); ) {
    if (Date.now() > deadline) throw new Error('adb did not list the virtual device');
    await new Promise((r) => setTimeout(r, 250));
  }
});

afterAll(async () => {
  await farm?.stop();
  if (adbPort) await adb('kill-server').catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('consentry doctor --device', () => {
  it('passes a ready virtual device, fails one with a proxy left set (exit 3, with the fix), and names a phone adb does not list in one line', async () => {
    const serial = farm!.devices[0]!.serial;
    const ready = await doctor(serial);
    const doc = JSON.parse(ready.stdout) as DoctorDoc;
    expect(doc.checks.filter((c) => c.required && !c.ok)).toEqual([]);
    expect(ready.code).toBe(0);
    expect(doc.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['adb', 'android', 'profile', 'root', 'frida', 'capture-ca', 'proxy', 'storage', 'screen-lock']));

    await adb('-s', serial, 'shell', 'settings', 'put', 'global', 'http_proxy', '127.0.0.1:9');
    const dirty = await doctor(serial);
    expect(dirty.code).toBe(3);
    const proxy = (JSON.parse(dirty.stdout) as DoctorDoc).checks.find((c) => c.id === 'proxy')!;
    expect(proxy).toMatchObject({ ok: false, required: true });
    expect(proxy.fix).toMatch(/http_proxy :0/);
    await adb('-s', serial, 'shell', 'settings', 'put', 'global', 'http_proxy', ':0');

    const missing = await runProcess(process.execPath, ['--import', 'tsx', CLI, '-c', config, 'doctor', '--device', 'NO-SUCH-PHONE'], { timeoutMs: 120_000, cwd: PACKAGE_ROOT, okCodes: [3] });
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/adb does not list NO-SUCH-PHONE/);
  });
});

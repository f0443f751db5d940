import { describe, expect, it } from 'vitest';
import type { AdbDevice } from './adb-device.js';
import { diagnoseDevice, type DeviceCheck } from './device-doctor.js';
import { DeviceProfileSchema } from './profile-schema.js';

/** A phone answering shell commands from a table; anything else prints what toybox would for an unknown path. */
function phone(overrides: Record<string, string> = {}): AdbDevice {
  const answers: Record<string, string> = {
    getprop: [
      '[ro.build.version.release]: [13]',
      '[ro.build.version.sdk]: [33]',
      '[ro.product.cpu.abi]: [arm64-v8a]',
      '[ro.product.manufacturer]: [Google]',
      '[ro.product.model]: [Pixel 6]',
      '[sys.boot_completed]: [1]',
    ].join('\n'),
    id: 'uid=2000(shell) gid=2000(shell) context=u:r:shell:s0',
    'su -c id': 'uid=0(root) gid=0(root) context=u:r:magisk:s0',
    'command -v su': '/system/bin/su',
    'df -k /data': 'Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/block/dm-4 100000000 40000000 60000000 40% /data',
    'dumpsys battery': 'Current Battery Service state:\n  USB powered: true\n  level: 90\n  scale: 100\n  temperature: 300',
    'dumpsys thermalservice': 'Thermal Status: 0',
    'date +%s%N': String(BigInt(Date.now()) * 1_000_000n),
    getenforce: 'Enforcing',
    'ls -l /data/local/tmp/frida-server': '-rwxr-xr-x 1 shell shell 52428800 2026-11-02 10:11 /data/local/tmp/frida-server',
    '/data/local/tmp/frida-server --version': '17.2.1',
    'pidof frida-server': '',
    'settings get global http_proxy': 'null',
    'pm list packages io.appium.uiautomator2.server': 'package:io.appium.uiautomator2.server',
    'dumpsys window': '  mCurrentFocus=Window{1 u0 com.android.launcher3/.Launcher}\nKEYGUARD\n  mShowingLockscreen=false mShowingDream=false mDreamingLockscreen=false',
    ...overrides,
  };
  return {
    serial: 'PIXEL6',
    async shell(command) {
      return answers[command] ?? `${command.split(' ')[0]}: not found`;
    },
    push: async () => undefined,
    reverse: async () => undefined,
    removeReverse: async () => undefined,
    forwardFromFreePort: async () => 40000,
    removeForward: async () => undefined,
    root: async () => undefined,
  };
}

const rooted = DeviceProfileSchema.parse({ id: 'pixel-rooted', root: 'su', frida: { module: 'frida' } });

async function run(overrides: Record<string, string> = {}, extra: { adbState?: string; binding?: string; noProfile?: boolean } = {}): Promise<Map<string, DeviceCheck>> {
  const { checks } = await diagnoseDevice({
    device: phone(overrides),
    adbState: extra.adbState ?? 'device',
    profileFor: () => (extra.noProfile ? undefined : rooted),
    ...(extra.binding ? { fridaBindingVersion: extra.binding } : {}),
  });
  return new Map(checks.map((c) => [c.id, c]));
}

const failedRequired = (checks: Map<string, DeviceCheck>) => [...checks.values()].filter((c) => c.required && !c.ok).map((c) => c.id);

describe('doctor --device', () => {
  it('passes a healthy rooted phone, one line per check', async () => {
    const checks = await run({}, { binding: '17.0.5' });
    expect(failedRequired(checks)).toEqual([]);
    expect(checks.get('android')!.detail).toMatch(/API 33.*arm64-v8a/);
    expect(checks.get('root')!.detail).toBe('root through su (/system/bin/su)');
    expect(checks.get('frida')!.detail).toMatch(/frida-server 17\.2\.1 .* not running .*binding 17\.0\.5/);
    expect(checks.get('capture-ca')!.detail).toMatch(/system-tmpfs/);
  });

  it('stops at an unauthorised phone with the fix', async () => {
    const checks = await run({}, { adbState: 'unauthorized' });
    expect([...checks.keys()]).toEqual(['adb']);
    expect(checks.get('adb')!.fix).toMatch(/allow|accept|authori/i);
  });

  it.each([
    ['root', { 'su -c id': 'su: not found' }],
    ['frida', { 'ls -l /data/local/tmp/frida-server': 'ls: /data/local/tmp/frida-server: No such file or directory' }],
    ['proxy', { 'settings get global http_proxy': '127.0.0.1:40213' }],
    ['screen-lock', { 'dumpsys window': 'KEYGUARD\n  mShowingLockscreen=true mShowingDream=false' }],
    ['battery', { 'dumpsys battery': 'Current Battery Service state:\n  USB powered: false\n  level: 5\n  scale: 100\n  temperature: 300' }],
    ['storage', { 'df -k /data': 'Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/block/dm-4 100000000 99990000 10000 99% /data' }],
    ['android', { getprop: '[ro.build.version.sdk]: [22]\n[sys.boot_completed]: [1]' }],
  ] as const)('fails %s on a phone configured to fail it, with a fix', async (id, overrides) => {
    const checks = await run(overrides);
    expect(failedRequired(checks)).toContain(id);
    expect(checks.get(id)!.ok).toBe(false);
  });

  it('fails frida when the server and the binding differ in major version', async () => {
    const checks = await run({}, { binding: '16.5.9' });
    expect(checks.get('frida')!.ok).toBe(false);
    expect(checks.get('frida')!.fix).toMatch(/major version/);
  });

  it('fails a phone no profile matches', async () => {
    expect(failedRequired(await run({}, { noProfile: true }))).toContain('profile');
  });

  it('says Android 14 needs the APEX route for the capture CA', async () => {
    const checks = await run({ getprop: '[ro.build.version.sdk]: [34]\n[ro.build.version.release]: [14]\n[sys.boot_completed]: [1]' });
    expect(checks.get('capture-ca')!.detail).toMatch(/apex-conscrypt/);
  });
});

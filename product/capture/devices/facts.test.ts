import { describe, expect, it } from 'vitest';
import { parseDeviceState, stateHint, transportOf } from './device-state.js';
import { factsFromProps, parseBattery, parseDeviceTimeMs, parseDfAvailable, parseGetprop, parseThermalStatus, parseUid, readFacts } from './facts.js';
import { FakeHandset } from './test-support/fake-device.js';
import { judgeHealth } from './health.js';
import { DeviceProfileSchema } from './profile-schema.js';

describe('device facts parsers', () => {
  it('reads getprop output, including empty values and brackets in values', () => {
    const props = parseGetprop('[ro.product.model]: [Pixel 7]\n[ro.empty]: []\n[ro.build.fingerprint]: [google/panther:14/UQ1A/1:user/release-keys]\r\nnoise');
    expect(props.get('ro.product.model')).toBe('Pixel 7');
    expect(props.get('ro.empty')).toBe('');
    expect(props.size).toBe(3);
    const f = factsFromProps(new Map([['ro.build.version.sdk', '34'], ['ro.product.cpu.abilist', 'x86_64,arm64-v8a'], ['ro.kernel.qemu', '1'], ['sys.boot_completed', '1']]));
    expect(f).toMatchObject({ apiLevel: 34, abi: 'x86_64', abis: ['x86_64', 'arm64-v8a'], emulator: true, bootCompleted: true });
  });

  it('reads free space from toybox and old toolbox df', () => {
    expect(parseDfAvailable('Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/block/dm-5 115249236 7532476 107585688 7% /data')).toBe(107585688 * 1024);
    expect(parseDfAvailable('Filesystem               Size     Used     Free   Blksize\n/data                    5.9G     2.1G     3.8G   4096')).toBe(Math.round(3.8 * 1024 ** 3));
    // Long device names wrap in some builds.
    expect(parseDfAvailable('Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/block/bootdevice/by-name/userdata\n 100 50 50 50% /data')).toBe(50 * 1024);
    expect(parseDfAvailable('df: /data: Permission denied')).toBeUndefined();
  });

  it('reads battery level, temperature in tenths of a degree, and charging', () => {
    const b = parseBattery('Current Battery Service state:\n  AC powered: false\n  USB powered: true\n  level: 42\n  scale: 100\n  temperature: 315\n');
    expect(b).toEqual({ level: 42, scale: 100, percent: 42, temperatureC: 31.5, powered: true });
    expect(parseBattery("Can't find service: battery")).toBeUndefined();
  });

  it('reads thermal status, uid and device time', () => {
    expect(parseThermalStatus('IsStatusOverride: false\nThermal Status: 3\n')).toBe(3);
    expect(parseThermalStatus("Can't find service: thermalservice")).toBeUndefined();
    expect(parseUid('uid=0(root) gid=0(root) groups=0(root) context=u:r:su:s0')).toBe(0);
    expect(parseUid('/system/bin/sh: su: inaccessible or not found')).toBeUndefined();
    expect(parseDeviceTimeMs('1700000000123456789\n')).toBe(1700000000123);
    expect(parseDeviceTimeMs('1700000000123\n')).toBe(1700000000123);
    expect(parseDeviceTimeMs('1700000000')).toBe(1700000000000);
    expect(parseDeviceTimeMs('1700000000N')).toBeUndefined();
  });

  it('reads all facts from a handset and measures the clock offset as host minus device', async () => {
    const facts = await readFacts(new FakeHandset({ serial: 'X', su: true, clockSkewMs: 60_000, thermalStatus: 1 }));
    expect(facts).toMatchObject({ model: 'Pixel 7', apiLevel: 34, root: 'su', thermalStatus: 1, battery: { percent: 90 } });
    expect(facts.clockOffsetMs).toBeLessThanOrEqual(-59_000);
    expect(facts.freeDataBytes).toBe(8_000_000 * 1024);
  });

  it('falls back to seconds when toybox date has no %N', async () => {
    const h = new FakeHandset({ serial: 'X' });
    h.responders.push((c) => (c === 'date +%s%N' ? '1700000000N' : c === 'date +%s' ? `${Math.floor(Date.now() / 1000)}` : undefined));
    const facts = await readFacts(h);
    expect(Math.abs(facts.clockOffsetMs!)).toBeLessThan(2000);
  });
});

describe('health judgement', () => {
  const profile = DeviceProfileSchema.parse({ id: 'p', health: { minFreeBytes: 1000, maxClockSkewMs: 1000 } });

  it('fails low storage, a hot or flat battery, throttling and skew it cannot fix, each with what to do', async () => {
    const facts = await readFacts(new FakeHandset({ serial: 'X', freeKb: 0, batteryLevel: 5, batteryTempTenths: 480, thermalStatus: 4, clockSkewMs: -10_000 }));
    const checks = judgeHealth(facts, profile);
    const failed = Object.fromEntries(checks.filter((c) => !c.ok).map((c) => [c.id, c.detail]));
    expect(Object.keys(failed).sort()).toEqual(['battery', 'clock', 'storage', 'thermal']);
    expect(failed.battery).toMatch(/plug it in.*cool down/);
    expect(failed.clock).toMatch(/automatic time/);
  });

  it('accepts clock skew a rooted device will have set', async () => {
    const facts = await readFacts(new FakeHandset({ serial: 'X', su: true, clockSkewMs: -10_000 }));
    expect(judgeHealth(facts, profile).find((c) => c.id === 'clock')).toMatchObject({ ok: true, detail: /will be set/ });
  });
});

describe('device states', () => {
  it('normalises adb states and tells what to do', () => {
    expect(parseDeviceState('no permissions (user in plugdev group; are your udev rules wrong?)')).toEqual({
      state: 'no-permissions',
      detail: 'user in plugdev group; are your udev rules wrong?',
    });
    expect(parseDeviceState('emulator').state).toBe('device');
    expect(parseDeviceState('weird')).toEqual({ state: 'unknown', detail: 'weird' });
    expect(stateHint('unauthorized')).toMatch(/accept the RSA key prompt/);
    expect(stateHint('recovery')).toMatch(/reboot/);
    expect(stateHint('offline')).toMatch(/replug|reconnect/);
    expect(stateHint('no-permissions')).toMatch(/udev/);
    expect(stateHint('offline', 'tcp')).toMatch(/adb connect HOST:PORT/);
  });

  it('tells USB, emulator and TCP serials apart', () => {
    expect(transportOf('emulator-5554')).toBe('emulator');
    expect(transportOf('192.168.1.20:5555')).toBe('tcp');
    expect(transportOf('[::1]:5555')).toBe('tcp');
    expect(transportOf('adb-R58M123-abc._adb-tls-connect._tcp')).toBe('tcp');
    expect(transportOf('R58M12345')).toBe('usb');
  });
});

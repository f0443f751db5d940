import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { factsFromProps, parseBattery, parseDfAvailable, parseGetprop, parseThermalStatus, parseUid } from '../../product/capture/devices/facts.js';
import { parsePmResult } from '../../product/capture/devices/installer.js';
import { parseLogcatLine } from '../../product/capture/instrumentation/logcat-timeline.js';
import { focusLines } from '../../product/capture/scenarios/steps/observe-expect.js';
import { testPhones } from '../virtual-device/shell/test-support/phones.js';

/**
 * The device-output conformance corpus (lab/corpora/device-outputs, see its README): recordings
 * in the shapes real phones and emulators print, held against (1) the product's parsers, which
 * must read every one and extract the facts asserted here, and (2) the virtual device, whose
 * output for the same commands must have the same shape (line formats, field order, indents).
 */
const DIR = join(import.meta.dirname, 'device-outputs');
const rec = (path: string) => readFileSync(join(DIR, path), 'utf8');

describe('product parsers on recorded device outputs', () => {
  it('getprop: sorted "[k]: [v]" lines, empty values, brackets in values, multi-line values, CRLF', () => {
    const handset = parseGetprop(rec('getprop/api34-handset.txt'));
    expect(handset.get('persist.sys.boot.reason')).toBe('');
    expect(handset.get('persist.sys.boot.reason.history')).toBe('reboot,,1764921011\nshutdown,userrequested,1764800422\nreboot,ota,1764710977');
    expect(handset.get('persist.sys.locale')).toBe('zh-Hans-CN');
    expect(handset.get('ro.build.description')).toBe('fuxi-user 14 UKQ1.230804.001 V816.0.5.0.UMCCNXM release-keys');
    // The system's SDK level, not the vendor partition's.
    expect(factsFromProps(handset)).toMatchObject({ model: '23127PN0CC', manufacturer: 'Xiaomi', apiLevel: 34, release: '14', abi: 'arm64-v8a', emulator: false, bootCompleted: true });
    const emulator = parseGetprop(rec('getprop/api33-emulator-crlf.txt'));
    expect(emulator.get('ro.product.model')).toBe('sdk_gphone64_x86_64');
    expect(factsFromProps(emulator)).toMatchObject({ apiLevel: 33, emulator: true, abis: ['x86_64', 'arm64-v8a'] });
  });

  it('id: the shell user and root through su', () => {
    expect(parseUid(rec('id/shell.txt'))).toBe(2000);
    expect(parseUid(rec('id/su-root.txt'))).toBe(0);
  });

  it('df: toybox 1K blocks, a full root, a missing path (header only), human units, a wrapped device name', () => {
    expect(parseDfAvailable(rec('df/toybox-data.txt'))).toBe(138_783_412 * 1024);
    expect(parseDfAvailable(rec('df/toybox-full-root.txt'))).toBe(0);
    expect(parseDfAvailable(rec('df/header-only-missing-path.txt'))).toBeUndefined();
    expect(parseDfAvailable(rec('df/human-units.txt'))).toBe(Math.round(5.1 * 1024 ** 3));
    expect(parseDfAvailable(rec('df/wrapped-device-name.txt'))).toBe(25_241_436 * 1024);
  });

  it('dumpsys battery: one-space-indented broadcast lines (API 34+), OEM keys at column 0', () => {
    expect(parseBattery(rec('dumpsys-battery/api34-xiaomi.txt'))).toEqual({ level: 87, scale: 100, percent: 87, powered: true, temperatureC: 31.2 });
    expect(parseBattery(rec('dumpsys-battery/samsung-extras.txt'))).toEqual({ level: 64, scale: 100, percent: 64, powered: false, temperatureC: 28.6 });
  });

  it('dumpsys thermalservice: tab-indented temperatures do not hide the status', () => {
    expect(parseThermalStatus(rec('dumpsys-thermalservice/api33-tabs.txt'))).toBe(1);
  });

  it('pm install: success after the streamed-install line, failures with and without detail', () => {
    expect(parsePmResult(rec('pm-install/success.txt'))).toEqual({ ok: true });
    expect(parsePmResult(rec('pm-install/no-matching-abis.txt'))).toEqual({ ok: false, code: 'INSTALL_FAILED_NO_MATCHING_ABIS', detail: 'Failed to extract native libraries, res=-113' });
    expect(parsePmResult(rec('pm-install/update-incompatible.txt'))).toMatchObject({ ok: false, code: 'INSTALL_FAILED_UPDATE_INCOMPATIBLE' });
    expect(parsePmResult(rec('pm-install/no-certificates.txt'))).toMatchObject({ ok: false, code: 'INSTALL_PARSE_FAILED_NO_CERTIFICATES' });
    expect(parsePmResult(rec('pm-install/version-downgrade-bare.txt'))).toEqual({ ok: false, code: 'INSTALL_FAILED_VERSION_DOWNGRADE', detail: '' });
  });

  it('logcat -v epoch: every record line of every buffer parses; buffer banners do not', () => {
    const lines = rec('logcat/epoch-mixed-buffers.txt').split('\n').filter((l) => l.trim());
    const parsed = lines.map((l) => parseLogcatLine(l));
    expect(parsed.filter((p, i) => p === undefined && !lines[i]!.startsWith('---------'))).toEqual([]);
    expect(parsed.filter((p, i) => p !== undefined && lines[i]!.startsWith('---------'))).toEqual([]);
    const displayed = parsed.find((p) => p?.message.startsWith('Displayed'));
    expect(displayed).toMatchObject({ tag: 'ActivityTaskManager', pid: 1890 });
    expect(parsed.find((p) => p?.tag === 'AndroidRuntime')?.message).toBe('FATAL EXCEPTION: main');
  });

  it('dumpsys window: focus from the windows section up to API 29 and from the display section after', () => {
    expect(focusLines(rec('dumpsys-window/api28-windows.txt'))).toContain('com.example.ledger/.MainActivity');
    expect(focusLines(rec('dumpsys-window/api33-displays.txt'))).toContain('com.example.ledger/.MainActivity');
    // From API 30 the windows section alone has no focus lines: why the product reads plain `dumpsys window`.
    expect(focusLines(rec('dumpsys-window/api33-windows-no-focus.txt'))).toBe('');
  });
});

describe('the virtual device prints the recorded shapes', () => {
  const { phone } = testPhones();

  it('getprop: every line "[key]: [value]", keys sorted, the facts the product reads present', async () => {
    const { out, status } = await phone().run('getprop');
    expect(status).toBe(0);
    const lines = out.split('\n').filter((l) => l !== '');
    const keys = lines.map((l) => /^\[([^\]]+)\]: \[/.exec(l)?.[1]);
    expect(keys.filter((k) => k === undefined)).toEqual([]);
    expect([...keys].sort()).toEqual(keys);
    expect(factsFromProps(parseGetprop(out))).toMatchObject({ bootCompleted: true });
    expect(factsFromProps(parseGetprop(out)).apiLevel).toBeGreaterThanOrEqual(28);
  });

  it('id, df -k, dumpsys battery: the same line formats as the recordings', async () => {
    const t = phone();
    expect((await t.run('id')).out).toMatch(/^uid=2000\(shell\) gid=2000\(shell\) groups=2000\(shell\)(,\d+\(\w+\))* context=u:r:shell:s0\n$/);
    const df = (await t.run('df -k /data')).out;
    expect(df.split('\n')[0]).toMatch(/^Filesystem\s+1K-blocks\s+Used\s+Available\s+Use%\s+Mounted on$/);
    expect(parseDfAvailable(df)).toBeGreaterThan(0);
    const battery = (await t.run('dumpsys battery')).out;
    expect(battery.split('\n')[0]).toBe('Current Battery Service state:');
    for (const line of battery.split('\n').slice(1).filter((l) => l !== '')) expect(line).toMatch(/^ {1,2}\S[^:]*:( .*)?$/);
    expect(parseBattery(battery)).toBeDefined();
  });

  it('am start -W: Status, LaunchState (API 29+), Activity, TotalTime, WaitTime, Complete, in that order', async () => {
    const t = phone();
    const pkg = t.os.listPackages().find((p) => p.launchActivity)!;
    const out = (await t.run(`am start -W -n ${pkg.packageName}/${pkg.launchActivity}`)).out;
    const keys = out.split('\n').map((l) => /^(\w+):/.exec(l)?.[1]).filter((k): k is string => k !== undefined);
    expect(keys).toEqual(['Starting', 'Status', 'LaunchState', 'Activity', 'TotalTime', 'WaitTime']);
    expect(out.trimEnd().endsWith('Complete')).toBe(true);
  });

  it('dumpsys window: the focus lines the product reads', async () => {
    const out = (await phone().run('dumpsys window')).out;
    expect(focusLines(out)).toMatch(/^mCurrentFocus=Window\{[0-9a-f]+ u0 .+\}mFocusedApp=ActivityRecord\{[0-9a-f]+ u0 .+ t\d+\}$/);
  });
});

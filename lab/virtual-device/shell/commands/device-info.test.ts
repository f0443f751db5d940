import { describe, expect, it } from 'vitest';
import { parseDfAvailable } from '../../../../product/capture/devices/facts.js';
import { parseDeviceTime } from '../../../../product/capture/scenarios/clock.js';
import type { AppHost } from '../../contracts.js';
import { testPhones } from '../test-support/phones.js';

/** uiautomator dump, df, date's toybox extensions and $EPOCHREALTIME, read by the harness's own parsers. */

const { phone } = testPhones();

const APP_DUMP = `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node index="0" text="同意" resource-id="com.example:id/agree" class="android.widget.Button" package="com.example" bounds="[0,0][10,10]" /></hierarchy>`;

function withScreen(t: ReturnType<typeof phone>): void {
  const host: Partial<AppHost> = {
    uiHierarchyXml: () => APP_DUMP,
    onInstalled: async () => undefined,
    onUninstalled: () => undefined,
    foreground: () => undefined,
    screenSize: () => ({ width: 1080, height: 2400, density: 420 }),
  };
  t.os.setAppHost(host as AppHost);
}

describe('uiautomator dump', () => {
  it('writes the app host hierarchy to /sdcard/window_dump.xml and says so with Android\'s typo', async () => {
    const t = phone();
    withScreen(t);
    const r = await t.run('uiautomator dump');
    expect(r.status).toBe(0);
    expect(r.out).toBe('UI hierchary dumped to: /sdcard/window_dump.xml\n');
    expect((await t.run('cat /sdcard/window_dump.xml')).out).toBe(APP_DUMP);
  });

  it('writes to a given file, relative to the shell directory, and to the terminal for /dev/tty', async () => {
    const t = phone();
    withScreen(t);
    expect((await t.run('cd /data/local/tmp && uiautomator dump --compressed ui.xml')).out).toBe('UI hierchary dumped to: /data/local/tmp/ui.xml\n');
    expect((await t.run('cat /data/local/tmp/ui.xml')).out).toBe(APP_DUMP);
    expect((await t.run('uiautomator dump /dev/tty')).out).toBe(`${APP_DUMP}UI hierchary dumped to: /dev/tty\n`);
  });

  it('dumps the launcher when no app runtime is plugged in, fails on a read-only path, prints usage otherwise', async () => {
    const t = phone();
    expect((await t.run('uiautomator dump /sdcard/x.xml')).status).toBe(0);
    expect((await t.run('cat /sdcard/x.xml')).out).toMatch(/<hierarchy rotation="0"><node [^>]*package="com\.google\.android\.apps\.nexuslauncher"/);
    const ro = await t.run('uiautomator dump /system/bin/x.xml');
    expect(ro.status).toBe(1);
    expect(ro.err).toContain('java.io.FileNotFoundException: /system/bin/x.xml');
    expect((await t.run('uiautomator')).out).toContain('dump: creates an XML dump of current UI hierarchy');
  });
});

describe('df', () => {
  it('prints toybox columns that the pool\'s parser reads, and /data fills up as files arrive', async () => {
    const t = phone();
    const r = await t.run('df -k /data');
    expect(r.status).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Filesystem\s+1K-blocks\s+Used\s+Available\s+Use%\s+Mounted on$/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/\s\/data$/);
    const before = parseDfAvailable(r.out);
    expect(before).toBeGreaterThan(1024 ** 3);
    t.os.fs.writeFile('/data/local/tmp/big.bin', Buffer.alloc(4 * 1024 * 1024));
    const after = parseDfAvailable((await t.run('df -k /data')).out);
    expect(before! - after!).toBe(4 * 1024 * 1024);
    // Shared storage is a view of the same partition.
    expect(parseDfAvailable((await t.run('df /sdcard')).out)).toBe(after);
  });

  it('lists every mount without a path, sizes for people with -h, and fails on a missing path', async () => {
    const t = phone();
    const all = (await t.run('df')).out.trimEnd().split('\n');
    expect(all.map((l) => l.split(/\s+/).pop())).toEqual(['on', '/', '/dev', '/mnt', '/vendor', '/data', '/storage/emulated']);
    const human = await t.run('df -h /data');
    expect(human.out.split('\n')[0]).toMatch(/^Filesystem\s+Size\s+Used\s+Avail\s+Use%\s+Mounted on$/);
    expect(human.out).toMatch(/\s110G\s/);
    expect(parseDfAvailable(human.out)).toBeGreaterThan(100 * 1024 ** 3);
    const missing = await t.run('df /nope');
    expect(missing.status).toBe(1);
    expect(missing.err).toBe('df: /nope: No such file or directory\n');
  });
});

describe('device time', () => {
  it('prints epoch milliseconds for date +%s%3N and digits of %N, in the device clock', async () => {
    const t = phone();
    t.os.setClockSkew(-3_600_000);
    const ms = Number((await t.run('date +%s%3N')).out);
    expect((await t.run('date +%s%3N')).out).toMatch(/^\d{13}\n$/);
    expect(Math.abs(ms - (Date.now() - 3_600_000))).toBeLessThan(5_000);
    expect((await t.run('date +%N')).out).toMatch(/^\d{9}\n$/);
    expect((await t.run('date +%1N.%6N')).out).toMatch(/^\d\.\d{6}\n$/);
    expect((await t.run('date -u +%:z')).out).toBe('+00:00\n');
    expect((await t.run('date +%:z')).out).toBe('+08:00\n');
  });

  it('expands $EPOCHREALTIME to seconds.microseconds of the device clock, which the scenario clock parses', async () => {
    const t = phone();
    t.os.setClockSkew(86_400_000);
    const out = (await t.run('echo "$EPOCHREALTIME"; echo $EPOCHREALTIME')).out;
    const [quoted, bare] = out.trimEnd().split('\n');
    expect(quoted).toMatch(/^\d{10}\.\d{6}$/);
    expect(bare).toMatch(/^\d{10}\.\d{6}$/);
    const parsed = parseDeviceTime(out);
    expect(parsed?.precisionMs).toBe(1);
    expect(Math.abs(parsed!.ms - (Date.now() + 86_400_000))).toBeLessThan(5_000);
    // Single quotes keep it literal, as in mksh.
    expect((await t.run("echo '$EPOCHREALTIME'")).out).toBe('$EPOCHREALTIME\n');
  });
});

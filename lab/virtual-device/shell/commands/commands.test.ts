import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../../product/core/paths.js';
import type { AppHost, InputEvent } from '../../contracts.js';
import { testPhones } from '../test-support/phones.js';

const SETTINGS_APK = join(PACKAGE_ROOT, '.appium/node_modules/appium-uiautomator2-driver/node_modules/io.appium.settings/apks/settings_apk-debug.apk');

const { phone } = testPhones();
async function withSettingsApp() {
  const t = phone();
  t.os.fs.writeFile('/data/local/tmp/s.apk', readFileSync(SETTINGS_APK));
  const r = await t.run('pm install -r -g /data/local/tmp/s.apk');
  expect(r.out).toBe('Success\n');
  return t;
}

describe('shell basics', () => {
  it('answers an unknown command like Android sh, status 127', async () => {
    const r = await phone().run('frobnicate -x');
    expect(r.status).toBe(127);
    expect(r.err).toBe('/system/bin/sh: frobnicate: not found\n');
  });

  it('runs lists, pipes to filters and redirections', async () => {
    const t = phone();
    expect((await t.run('false || echo yes; true && echo also')).out).toBe('yes\nalso\n');
    expect((await t.run('getprop | grep -c ro.product.model')).out).toBe('1\n');
    expect((await t.run('ps -A | head -n 2 | wc -l')).out).toBe('2\n');
    // Order matters, as in sh: stderr joins the old stdout before stdout goes to /dev/null.
    expect((await t.run('cat /nope 2>&1 > /dev/null')).out).toBe('cat: /nope: No such file or directory\n');
    expect((await t.run('cat /nope > /dev/null 2>&1; echo $?')).out).toBe('1\n');
    await t.run('echo saved > /sdcard/a.txt; echo more >> /sdcard/a.txt');
    expect((await t.run('cat /sdcard/a.txt')).out).toBe('saved\nmore\n');
    expect((await t.run('logcat -d | head -1')).out).not.toBe('');
  });
});

describe('getprop, settings, id, date', () => {
  it('prints props in getprop formats', async () => {
    const t = phone();
    expect((await t.run('getprop ro.build.version.sdk')).out).toBe('33\n');
    expect((await t.run('getprop sys.boot_completed')).out).toBe('1\n');
    expect((await t.run('getprop no.such.prop')).out).toBe('\n');
    expect((await t.run('getprop')).out).toMatch(/^\[ro\.product\.model\]: \[Consentry Virtual\]$/m);
    await t.run('setprop debug.x 5');
    expect((await t.run('getprop debug.x')).out).toBe('5\n');
  });

  it('gets, puts, deletes and lists settings; missing is "null"', async () => {
    const t = phone();
    expect((await t.run('settings get global http_proxy')).out).toBe('null\n');
    await t.run('settings put global http_proxy 127.0.0.1:8080');
    expect(t.os.getSetting('global', 'http_proxy')).toBe('127.0.0.1:8080');
    expect((await t.run('settings list global')).out).toContain('http_proxy=127.0.0.1:8080\n');
    expect((await t.run('settings delete global http_proxy')).out).toBe('Deleted 1 rows\n');
    expect((await t.run('settings get secure android_id')).out).toBe(`${t.os.identity.androidId}\n`);
    expect((await t.run('settings get bogus x')).status).toBe(255);
  });

  it('prints id and date in toybox formats', async () => {
    const t = phone();
    expect((await t.run('id')).out).toMatch(/^uid=2000\(shell\) gid=2000\(shell\) groups=/);
    expect((await t.run('date +%Y-%m-%dT%T%z')).out).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0800\n$/);
    t.os.setClockSkew(-86_400_000 * 400);
    expect(Number((await t.run('date +%s')).out)).toBeLessThan(Date.now() / 1000 - 86_400 * 399);
  });
});

describe('package manager', () => {
  it('installs an APK from a device path and lists it the ways pm does', async () => {
    const t = await withSettingsApp();
    expect((await t.run('pm list packages -3')).out).toBe('package:io.appium.settings\n');
    expect((await t.run('pm list packages -3 -U')).out).toMatch(/^package:io\.appium\.settings uid:\d{5}\n$/);
    expect((await t.run('pm list packages -f io.appium')).out).toMatch(/^package:\/data\/app\/.*\/base\.apk=io\.appium\.settings\n$/);
    expect((await t.run('pm list packages')).out).toContain('package:android\n');
    expect((await t.run('pm path io.appium.settings')).out).toMatch(/^package:\/data\/app\/~~.*==\/io\.appium\.settings-.*==\/base\.apk\n$/);
    const pkg = t.os.getPackage('io.appium.settings')!;
    expect(readFileSync(pkg.hostApkPaths[0]!).equals(readFileSync(SETTINGS_APK))).toBe(true);
  });

  it('grants and revokes runtime permissions and shows them in dumpsys package', async () => {
    const t = await withSettingsApp();
    const perm = 'android.permission.ACCESS_FINE_LOCATION';
    await t.run(`pm revoke io.appium.settings ${perm}`);
    expect((await t.run('dumpsys package io.appium.settings')).out).toContain(`${perm}: granted=false`);
    await t.run(`pm grant io.appium.settings ${perm}`);
    const dump = (await t.run('dumpsys package io.appium.settings')).out;
    expect(dump).toContain(`${perm}: granted=true`);
    expect(dump).toMatch(/versionCode=191 minSdk=26 targetSdk=35/);
    expect(dump).toContain('versionName=8.0.9');
    const bad = await t.run('pm grant com.not.there android.permission.CAMERA');
    expect(bad.status).toBe(255);
    expect(bad.err).toBe("Exception occurred while executing 'grant':\njava.lang.IllegalArgumentException: Unknown package: com.not.there\n");
  });

  it('streams installs with -S and with install-create/write/commit sessions', async () => {
    const t = phone();
    const apk = readFileSync(SETTINGS_APK);
    expect((await t.run(`pm install -S ${apk.length}`, { stdin: apk })).out).toBe('Success\n');
    await t.run('pm uninstall io.appium.settings');
    const created = (await t.run(`pm install-create -S ${apk.length}`)).out;
    const id = /\[(\d+)\]/.exec(created)![1];
    expect(created).toBe(`Success: created install session [${id}]\n`);
    expect((await t.run(`pm install-write -S ${apk.length} ${id} base -`, { stdin: apk })).out).toBe(`Success: streamed ${apk.length} bytes\n`);
    expect((await t.run(`pm install-commit ${id}`)).out).toBe('Success\n');
    expect(t.os.getPackage('io.appium.settings')).toBeDefined();
    expect((await t.run('pm uninstall com.none.here')).out).toBe('Failure [DELETE_FAILED_INTERNAL_ERROR]\n');
  });

  it('rejects a file that is not an APK', async () => {
    const t = phone();
    t.os.fs.writeFile('/data/local/tmp/bad.apk', Buffer.from('not a zip'));
    const r = await t.run('pm install /data/local/tmp/bad.apk');
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/^Failure \[INSTALL_PARSE_FAILED_NOT_APK/);
  });
});

describe('activity manager, monkey, processes, logcat', () => {
  it('starts an activity cold with -W output, logs am_proc_start, shows it in ps and dumpsys', async () => {
    const t = await withSettingsApp();
    const r = await t.run('am start -W -n io.appium.settings/.Settings');
    expect(r.out).toMatch(/^Starting: Intent \{ cmp=io\.appium\.settings\/\.Settings \}\nStatus: ok\nLaunchState: COLD\nActivity: io\.appium\.settings\/\.Settings\nTotalTime: \d+\nWaitTime: \d+\nComplete\n$/);
    const pid = (await t.run('pidof io.appium.settings')).out.trim();
    expect(pid).toMatch(/^\d+$/);
    expect((await t.run('ps -A')).out).toMatch(new RegExp(`^u0_a\\d+ +${pid} .* io\\.appium\\.settings$`, 'm'));
    expect((await t.run('logcat -d -b events')).out).toContain(`am_proc_start: [0,${pid},`);
    expect((await t.run('logcat -d -v threadtime -s ActivityManager')).out).toMatch(new RegExp(`^\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} +\\d+ +\\d+ I ActivityManager: Start proc ${pid}:io\\.appium\\.settings/u0a\\d+ for pre-top-activity`, 'm'));
    // `-v epoch` prints the instant itself, so a host in another time zone reads it right.
    const epoch = (await t.run('logcat -d -v epoch -s ActivityManager')).out;
    const secs = Number(/^\s*(\d+)\.\d{3} +\d+ +\d+ I ActivityManager: Start proc/m.exec(epoch)?.[1]);
    expect(Math.abs(secs * 1000 - t.os.now())).toBeLessThan(60_000);
    expect((await t.run('dumpsys window displays')).out).toContain('mCurrentFocus=Window{');
    expect((await t.run('dumpsys window')).out).toMatch(/mFocusedApp=ActivityRecord\{\w+ u0 io\.appium\.settings\/\.Settings t\d+\}/);
    expect((await t.run('dumpsys activity services io.appium.settings')).out).toContain('isForeground=true');
    await t.run('am force-stop io.appium.settings');
    expect((await t.run('pidof io.appium.settings')).status).toBe(1);
    expect((await t.run('dumpsys window')).out).toContain('com.google.android.apps.nexuslauncher');
  });

  it('reports a missing activity the way am does', async () => {
    const t = await withSettingsApp();
    const r = await t.run('am start -n io.appium.settings/.Nope');
    expect(r.status).toBe(1);
    expect(r.err).toContain('Error: Activity class {io.appium.settings/io.appium.settings.Nope} does not exist.');
  });

  it('launches with monkey -p and aborts for an unknown package', async () => {
    const t = await withSettingsApp();
    const r = await t.run('monkey -p io.appium.settings -c android.intent.category.LAUNCHER 1');
    expect(r.out).toMatch(/^Events injected: 1\n/);
    expect(t.os.foreground().packageName).toBe('io.appium.settings');
    const bad = await t.run('monkey -p com.not.there 1');
    expect(bad.status).toBe(252);
    expect(bad.err).toContain('No activities found to run, monkey aborted');
  });

  it('prints ps with the toybox header and answers ps --help with -A', async () => {
    const t = phone();
    expect((await t.run('ps -A')).out.split('\n')[0]).toMatch(/^USER +PID +PPID +VSZ +RSS WCHAN +ADDR S NAME$/);
    expect((await t.run('ps --help')).out).toMatch(/^-A\b/m);
    expect((await t.run('ps -o PID,NAME -p 1')).out).toMatch(/^ +PID NAME\n +1 init\n$/);
    expect((await t.run('kill 99999')).err).toContain('No such process');
  });

  it('streams logcat until the command is aborted', async () => {
    const t = phone();
    const abort = new AbortController();
    const running = t.run('logcat -v brief StreamTag:V *:S', { signal: abort.signal });
    t.os.log({ pid: 1, tid: 1, priority: 'I', tag: 'StreamTag', message: 'first', buffer: 'main' });
    t.os.log({ pid: 1, tid: 1, priority: 'I', tag: 'Other', message: 'filtered out', buffer: 'main' });
    await new Promise((r) => setTimeout(r, 20));
    t.os.log({ pid: 1, tid: 1, priority: 'E', tag: 'StreamTag', message: 'second', buffer: 'main' });
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    expect((await running).out).toBe('I/StreamTag(    1): first\nE/StreamTag(    1): second\n');
  });
});

describe('instrumentation (am instrument -w)', () => {
  it('runs a registered runner in a visible process until the shell goes away', async () => {
    const t = phone();
    let started = 0;
    let stopped = 0;
    t.os.registerInstrumentation('io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner', {
      targetPackage: 'io.appium.uiautomator2.server',
      start: async (ctx) => {
        started += 1;
        expect(ctx.args.disableAnalytics).toBe('true');
        return { stop: () => void (stopped += 1) };
      },
    });
    expect((await t.run('pm list instrumentation')).out).toBe(
      'instrumentation:io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner (target=io.appium.uiautomator2.server)\n',
    );
    const abort = new AbortController();
    const running = t.run('am instrument -w -e disableAnalytics true io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner', { signal: abort.signal });
    for (let i = 0; i < 50 && started === 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(started).toBe(1);
    expect((await t.run('ps -A')).out).toMatch(/ io\.appium\.uiautomator2\.server$/m);
    abort.abort();
    await running;
    expect(stopped).toBe(1);
    expect((await t.run('ps -A')).out).not.toMatch(/ io\.appium\.uiautomator2\.server$/m);
  });

  it('fails for an unknown component', async () => {
    const r = await phone().run('am instrument -w com.x.test/androidx.test.runner.AndroidJUnitRunner');
    expect(r.status).toBe(1);
    expect(r.err).toContain('INSTRUMENTATION_FAILED: com.x.test/androidx.test.runner.AndroidJUnitRunner');
  });
});

describe('input, screencap, wm, appops, cmd', () => {
  it('delivers input events to the app host and maps key names', async () => {
    const t = phone();
    const events: InputEvent[] = [];
    t.os.setAppHost({ input: async (e: InputEvent) => void events.push(e), foreground: () => undefined, screenSize: () => ({ width: 720, height: 1280, density: 320 }) } as unknown as AppHost);
    await t.run('input tap 10 20; input swipe 1 2 3 4 100; input keyevent KEYCODE_BACK 66; input text hello%sworld');
    expect(events).toEqual([
      { kind: 'tap', x: 10, y: 20 },
      { kind: 'swipe', x1: 1, y1: 2, x2: 3, y2: 4, durationMs: 100 },
      { kind: 'key', keyCode: 4 },
      { kind: 'key', keyCode: 66 },
      { kind: 'text', text: 'hello world' },
    ]);
    expect((await t.run('wm size')).out).toBe('Physical size: 720x1280\n');
    expect((await t.run('input keyevent NOPE')).status).toBe(1);
  });

  it('returns a PNG of the screen size from screencap -p', async () => {
    const t = phone();
    const r = await t.run('screencap -p');
    const png = PNG.sync.read(r.stdout);
    expect([png.width, png.height]).toEqual([1080, 2400]);
    expect((await t.run('wm density')).out).toBe('Physical density: 420\n');
  });

  it('sets and gets app ops and passes cmd through to pm/am/settings', async () => {
    const t = await withSettingsApp();
    await t.run('appops set io.appium.settings android:mock_location allow');
    expect((await t.run('appops get io.appium.settings')).out).toBe('MOCK_LOCATION: allow\n');
    expect((await t.run('cmd package list packages -3')).out).toBe('package:io.appium.settings\n');
    expect((await t.run("cmd settings get global adb_enabled")).out).toBe('1\n');
    expect((await t.run('cmd nosuchservice x')).status).toBe(20);
    expect((await t.run('which pm logcat nope')).out).toBe('/system/bin/pm\n/system/bin/logcat\n');
  });
});

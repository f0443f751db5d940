import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { remote } from 'webdriverio';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../product/core/free-port.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess, startProcess, type ManagedProcess } from '../../product/core/process.js';
import { buildTestApk } from '../../product/evidence/apps/test-support/index.js';
import { specFromModelFile } from '../sample-apps/model-apk.js';
import { attachAppRuntime, type VirtualAppHost } from '../virtual-device/app-runtime/index.js';
import { startVirtualDevice, type VirtualDevice } from '../virtual-device/index.js';
import { SAMPLE_APPS_DIR } from '../sample-apps/index.js';

/**
 * The real Appium 3 server with the real UiAutomator2 driver, through a private real adb
 * server, against a virtual device playing the compliant sample app. Nothing here knows the
 * device is virtual except the setup that starts it.
 */

const APP = 'com.consentry.sample.reader';

let device: VirtualDevice | undefined;
let host: VirtualAppHost;
let adbPort = 0;
let appium: ManagedProcess | undefined;
const appiumLog: string[] = [];
let sdkDir = '';
let browser: WebdriverIO.Browser | undefined;
let proxy: Server | undefined;

async function adb(...args: string[]): Promise<string> {
  const out = await runProcess('adb', ['-P', String(adbPort), ...args], { timeoutMs: 60_000 });
  return out.stdout;
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

describe('virtual device with the real Appium UiAutomator2 driver', () => {
  beforeAll(async () => {
    device = await startVirtualDevice({
      host: '127.0.0.1',
      plugins: [
        (os) => {
          const runtime = attachAppRuntime(os);
          host = runtime.host;
          return runtime;
        },
      ],
    });
    const serial = device.serial;

    adbPort = await freePort();
    await adb('start-server');
    await adb('connect', serial);
    await until('adb to list the device', async () => ((await adb('devices')).includes(`${serial}\tdevice`) ? true : undefined));

    const apk = await buildTestApk(await specFromModelFile(join(SAMPLE_APPS_DIR, 'compliant-reader.model.yaml')));
    await adb('-s', serial, 'install', '-r', apk);
    await adb('-s', serial, 'shell', 'monkey', '-p', APP, '-c', 'android.intent.category.LAUNCHER', '1');
    await until('the privacy dialog', async () => (host.uiHierarchyXml().includes(`${APP}:id/btn_agree`) ? true : undefined));

    // The driver wants an SDK layout: ANDROID_HOME/platform-tools/adb.
    sdkDir = mkdtempSync(join(tmpdir(), 'consentry-sdk-'));
    mkdirSync(join(sdkDir, 'platform-tools'));
    symlinkSync('/usr/bin/adb', join(sdkDir, 'platform-tools', 'adb'));
    const appiumPort = await freePort();
    appium = startProcess(join(PACKAGE_ROOT, 'node_modules', '.bin', 'appium'), ['--address', '127.0.0.1', '--port', String(appiumPort), '--log-no-colors', '--log-level', 'debug'], {
      name: 'appium',
      env: { ...process.env, APPIUM_HOME: join(PACKAGE_ROOT, '.appium'), ANDROID_HOME: sdkDir, ANDROID_SDK_ROOT: sdkDir },
      onLine: (line) => {
        if (appiumLog.length < 50_000) appiumLog.push(line);
      },
    });
    await until('Appium to listen', async () => ((await fetch(`http://127.0.0.1:${appiumPort}/status`)).ok ? true : undefined), 60_000);

    browser = await remote({
      hostname: '127.0.0.1',
      port: appiumPort,
      path: '/',
      logLevel: 'warn',
      connectionRetryCount: 0,
      connectionRetryTimeout: 170_000,
      capabilities: {
        platformName: 'Android',
        'appium:automationName': 'UiAutomator2',
        'appium:udid': serial,
        'appium:skipServerInstallation': true,
        'appium:skipDeviceInitialization': true,
        'appium:systemPort': await freePort(),
        'appium:adbPort': adbPort,
        'appium:newCommandTimeout': 120,
      },
    });
  });

  afterAll(async () => {
    await browser?.deleteSession().catch(() => undefined);
    proxy?.close();
    await appium?.stop(5000);
    if (appiumLog.length > 0) writeFileSync(join(tmpdir(), 'consentry-e2e-appium.log'), appiumLog.join('\n'));
    if (adbPort) await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 20_000, okCodes: [0, 1] }).catch(() => undefined);
    await device?.stop();
    if (sdkDir) rmSync(sdkDir, { recursive: true, force: true });
  });

  it('creates a session and reports the device window size', async () => {
    expect(browser!.sessionId).toBeTruthy();
    // The driver started the server the way it does on a phone: `am instrument -w` of its test APK.
    const instrument = device!.commandLog.find((c) => c.command.includes('am instrument'));
    expect(instrument?.command).toContain('io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner');
    const size = await browser!.getWindowSize();
    expect(size).toEqual({ width: 1080, height: 2400 });
  });

  it('finds the privacy dialog by id, text and xpath, and reads the page source', async () => {
    const agree = await browser!.$(`id=${APP}:id/btn_agree`);
    expect(await agree.getText()).toBe('同意');
    const refuse = await browser!.$('android=new UiSelector().text("不同意")');
    expect(await refuse.isExisting()).toBe(true);
    const byXpath = await browser!.$('//android.widget.Button[@text="同意"]');
    expect(await byXpath.getAttribute('resource-id')).toBe(`${APP}:id/btn_agree`);
    const source = await browser!.getPageSource();
    expect(source).toContain(`resource-id="${APP}:id/btn_disagree"`);
    expect(source).toContain('<hierarchy');
  });

  it('takes a PNG screenshot', async () => {
    const png = Buffer.from(await browser!.takeScreenshot(), 'base64');
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  });

  it('clicks agree, types into the search box, then goes back and home', async () => {
    await (await browser!.$(`id=${APP}:id/btn_agree`)).click();
    const search = await browser!.$(`id=${APP}:id/search_box`);
    await search.waitForExist({ timeout: 10_000 });
    expect(host.stateOf(APP)?.consent).toBe('accepted');
    await search.setValue('三体');
    expect(await search.getText()).toBe('三体');
    await (await browser!.$(`id=${APP}:id/tab_me`)).click();
    await (await browser!.$(`id=${APP}:id/settings_privacy`)).waitForExist({ timeout: 10_000 });
    await browser!.back();
    await (await browser!.$(`id=${APP}:id/search_box`)).waitForExist({ timeout: 10_000 });
    await browser!.pressKeyCode(3);
    await until('the launcher on top', async () => (host.foreground()?.packageName === 'com.google.android.apps.nexuslauncher' ? true : undefined), 10_000);
  });

  it("sends the app's HTTPS through the device proxy reached over adb reverse", async () => {
    // A host-side proxy that records what the app asks for and refuses to tunnel.
    const seen: string[] = [];
    proxy = createServer((socket) => {
      socket.once('data', (head: Buffer) => {
        seen.push(head.toString('latin1').split('\r\n')[0]!);
        socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
      });
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => proxy!.listen(0, '127.0.0.1', r));
    const hostPort = (proxy.address() as { port: number }).port;
    const serial = device!.serial;
    await adb('-s', serial, 'reverse', 'tcp:8899', `tcp:${hostPort}`);
    await adb('-s', serial, 'shell', 'settings', 'put', 'global', 'http_proxy', '127.0.0.1:8899');
    const apk = await buildTestApk(await specFromModelFile(join(SAMPLE_APPS_DIR, 'umeng-preconsent.model.yaml')));
    await adb('-s', serial, 'install', '-r', apk);
    await adb('-s', serial, 'shell', 'am', 'start', '-n', 'com.consentry.sample.weather/.MainActivity');
    const request = await until('the Umeng request', async () =>
      host.activity.find((a) => a.kind === 'request' && a.packageName === 'com.consentry.sample.weather' && a.detail.error !== undefined),
    );
    expect(seen).toContain('CONNECT alog.umeng.com:443 HTTP/1.1');
    expect(request.detail).toMatchObject({ via: 'proxy', url: 'https://alog.umeng.com/app_logs', error: 'java.io.IOException: Unexpected response code for CONNECT: 502' });
    // The failure is in logcat, as an app's OkHttp would print it.
    expect(await adb('-s', serial, 'logcat', '-d', '-s', 'System.err')).toContain('Unexpected response code for CONNECT: 502');
    await adb('-s', serial, 'shell', 'settings', 'put', 'global', 'http_proxy', ':0');
  });
});

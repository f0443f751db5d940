import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { PNG } from 'pngjs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstalledPackage, PhoneOs, ProcessRecord } from '../contracts.js';
import { VirtualAppHost } from '../app-runtime/app-host.js';
import { parseModel } from '../models/load-model.js';
import { fixedTestIdentity } from '../test-support/identity.js';
import { startUiAutomator2Server } from './server.js';

/** An in-test phone whose device-side listeners are real loopback servers (as `adb forward` reaches them). */
function testPhone(): PhoneOs & { hostPort(devicePort: number): Promise<number>; install(name: string): void; closeAll(): void } {
  const identity = fixedTestIdentity({ serial: 'vd-uia2' });
  const packages = new Map<string, InstalledPackage>();
  const procs: ProcessRecord[] = [];
  const listeners = new Map<number, Server>();
  let pid = 5000;
  return {
    identity,
    install(name) {
      packages.set(name, {
        packageName: name,
        versionCode: 1,
        versionName: '1',
        uid: 10111,
        apkPaths: [],
        hostApkPaths: [],
        requestedPermissions: [],
        granted: new Set(),
        userFixed: new Set(),
        firstInstallTime: 0,
        system: false,
        launchActivity: `${name}/.MainActivity`,
      });
    },
    hostPort: async (devicePort) => {
      const server = listeners.get(devicePort)!;
      if (!server.listening) await once(server, 'listening');
      return (server.address() as { port: number }).port;
    },
    closeAll: () => listeners.forEach((s) => s.close()),
    getProp: () => undefined,
    setProp: () => undefined,
    listProps: () => [],
    getSetting: () => undefined,
    putSetting: () => undefined,
    getPackage: (n) => packages.get(n),
    listPackages: () => [...packages.values()],
    trustedCaPems: () => [],
    now: () => Date.now(),
    log: () => undefined,
    startProcess: (name, uid) => {
      const rec = { pid: (pid += 1), ppid: 1, uid, name, user: 'u0_a111', startedAt: 0 };
      procs.push(rec);
      return rec;
    },
    killProcess: (p) => void procs.splice(procs.findIndex((r) => r.pid === p), 1),
    processes: () => [...procs],
    connect: () => Promise.reject(new Error('no network in this test')),
    listen(port, onConnection) {
      const server = createServer((socket) => onConnection(socket));
      server.listen(0, '127.0.0.1');
      listeners.set(port, server);
      return () => {
        server.close();
        listeners.delete(port);
      };
    },
  };
}

const MODEL = `schemaVersion: 1
manifest:
  package: com.example.shop
  versionName: "1.0"
  versionCode: 1
  label: Shop
  activities: [ { name: com.example.shop.MainActivity, launcher: true } ]
screens:
  - id: privacy
    kind: privacy-dialog
    root:
      class: android.widget.LinearLayout
      children:
        - { id: policy_text, text: "We use <b>cookies</b> & \\"ids\\"", contentDesc: policy }
        - { id: btn_agree, class: android.widget.Button, text: Agree, clickable: true }
        - { id: btn_refuse, class: android.widget.Button, text: Refuse, clickable: true }
  - id: main
    kind: main
    root:
      class: android.widget.LinearLayout
      children:
        - { id: query, class: android.widget.EditText, editable: true }
        - { id: btn_search, class: android.widget.Button, text: Search, clickable: true, contentDesc: search button }
behaviours:
  - on: launch
    do: [ { show: privacy } ]
  - on: { tap: btn_agree }
    do: [ { consent: accepted }, { show: main } ]
`;

type Json = { sessionId: string | null; value: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let os: ReturnType<typeof testPhone>;
let host: VirtualAppHost;
let stop: () => void;
let base: string;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Json };
}

async function session(): Promise<string> {
  const { json } = await call('POST', '/session', { capabilities: { firstMatch: [{ platformName: 'Android' }], alwaysMatch: {} } });
  return json.sessionId!;
}

beforeEach(async () => {
  os = testPhone();
  host = new VirtualAppHost(os, { models: [parseModel(MODEL, 'shop.model.yaml')] });
  os.install('com.example.shop');
  await host.launch('com.example.shop', {});
  await host.whenIdle();
  stop = startUiAutomator2Server(os, host);
  base = `http://127.0.0.1:${await os.hostPort(6790)}`;
});

afterEach(() => {
  stop();
  os.closeAll();
});

describe('UiAutomator2 server', () => {
  it('answers /status and creates, lists and deletes sessions', async () => {
    const status = await call('GET', '/status');
    expect(status.json.value).toEqual({ ready: true, message: 'UiAutomator2 Server is ready to accept commands' });
    const id = await session();
    expect((await call('GET', '/sessions')).json.value).toEqual([{ id, capabilities: { platformName: 'Android' } }]);
    expect((await call('GET', `/session/${id}`)).json.value).toMatchObject({ platformName: 'Android', sessionId: id });
    expect((await call('DELETE', `/session/${id}`)).status).toBe(200);
    const gone = await call('GET', `/session/${id}/source`);
    expect(gone.status).toBe(404);
    expect(gone.json.value.error).toBe('invalid session id');
  });

  it('finds elements by id, UiSelector, xpath, accessibility id and class name', async () => {
    const id = await session();
    const find = async (strategy: string, selector: string) => (await call('POST', `/session/${id}/element`, { strategy, selector })).json;
    const text = async (el: Json) => (await call('GET', `/session/${id}/element/${el.value.ELEMENT}/text`)).json.value as string;
    expect(await text(await find('id', 'btn_agree'))).toBe('Agree');
    expect(await text(await find('id', 'com.example.shop:id/btn_refuse'))).toBe('Refuse');
    expect(await text(await find('-android uiautomator', 'new UiSelector().text("Refuse")'))).toBe('Refuse');
    expect(await text(await find('-android uiautomator', 'new UiSelector().className("android.widget.Button").instance(1)'))).toBe('Refuse');
    expect(await text(await find('-android uiautomator', 'new UiSelector().textContains("cookies")'))).toContain('<b>cookies</b>');
    expect(await text(await find('xpath', '//android.widget.Button[@text="Agree"]'))).toBe('Agree');
    expect(await text(await find('xpath', "//*[contains(@text, 'cook') and @clickable='false']"))).toContain('cookies');
    expect(await text(await find('xpath', '(//android.widget.Button)[2]'))).toBe('Refuse');
    expect(await text(await find('xpath', '//android.widget.LinearLayout/android.widget.Button[last()]'))).toBe('Refuse');
    expect(await text(await find('accessibility id', 'policy'))).toContain('cookies');
    const all = await call('POST', `/session/${id}/elements`, { strategy: 'class name', selector: 'android.widget.Button' });
    expect(all.json.value).toHaveLength(2);
    expect(all.json.value[0]).toHaveProperty('element-6066-11e4-a52e-4f735466cecf');
    const missing = await call('POST', `/session/${id}/element`, { strategy: 'id', selector: 'nope' });
    expect(missing.status).toBe(404);
    expect(missing.json.value.error).toBe('no such element');
    const bad = await call('POST', `/session/${id}/element`, { strategy: 'xpath', selector: '//*[' });
    expect(bad.status).toBe(400);
    expect(bad.json.value.error).toBe('invalid selector');
  });

  it('clicks and types through the app, and reports stale elements', async () => {
    const id = await session();
    const agree = (await call('POST', `/session/${id}/element`, { strategy: 'id', selector: 'btn_agree' })).json.value.ELEMENT as string;
    const rect = (await call('GET', `/session/${id}/element/${agree}/rect`)).json.value;
    expect(rect.width).toBeGreaterThan(0);
    expect((await call('POST', `/session/${id}/element/${agree}/click`, {})).status).toBe(200);
    await host.whenIdle();
    expect(host.stateOf('com.example.shop')!.consent).toBe('accepted');
    const stale = await call('GET', `/session/${id}/element/${agree}/text`);
    expect(stale.json.value.error).toBe('stale element reference');
    const query = (await call('POST', `/session/${id}/element`, { strategy: 'id', selector: 'query' })).json.value.ELEMENT as string;
    await call('POST', `/session/${id}/element/${query}/value`, { text: '手机 case' });
    expect((await call('GET', `/session/${id}/element/${query}/text`)).json.value).toBe('手机 case');
    await call('POST', `/session/${id}/element/${query}/clear`, {});
    expect((await call('GET', `/session/${id}/element/${query}/text`)).json.value).toBe('');
    const attr = await call('GET', `/session/${id}/element/${query}/attribute/resource-id`);
    expect(attr.json.value).toBe('com.example.shop:id/query');
  });

  it('serves page source as well-formed XML with class-named tags', async () => {
    const id = await session();
    const xml = (await call('GET', `/session/${id}/source`)).json.value as string;
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<hierarchy index="0" class="hierarchy" rotation="0" width="1080" height="2400">');
    expect(xml).toMatch(/<android\.widget\.Button index="\d+" package="com\.example\.shop" class="android\.widget\.Button" text="Agree"/);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(xml);
    expect(parsed).toHaveProperty('hierarchy');
    expect(xml).toContain('We use &lt;b&gt;cookies&lt;/b&gt; &amp; &quot;ids&quot;');
  });

  it('returns screenshots, window size, device info, and handles back, home and W3C taps', async () => {
    const id = await session();
    const png = PNG.sync.read(Buffer.from((await call('GET', `/session/${id}/screenshot`)).json.value as string, 'base64'));
    expect([png.width, png.height]).toEqual([1080, 2400]);
    expect((await call('GET', `/session/${id}/window/current/size`)).json.value).toEqual({ width: 1080, height: 2400 });
    const info = (await call('GET', `/session/${id}/appium/device/info`)).json.value;
    expect(info).toMatchObject({ apiVersion: '33', platformVersion: '13', model: 'Virtual Pixel', realDisplaySize: '1080x2400', androidId: 'a1b2c3d4e5f60718' });
    // A W3C pointer tap on the agree button.
    const agree = (await call('POST', `/session/${id}/element`, { strategy: 'id', selector: 'btn_agree' })).json.value.ELEMENT as string;
    await call('POST', `/session/${id}/actions`, {
      actions: [
        {
          type: 'pointer',
          id: 'finger1',
          parameters: { pointerType: 'touch' },
          actions: [
            { type: 'pointerMove', duration: 0, origin: { 'element-6066-11e4-a52e-4f735466cecf': agree }, x: 0, y: 0 },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
    await host.whenIdle();
    expect(host.stateOf('com.example.shop')!.consent).toBe('accepted');
    await call('POST', `/session/${id}/back`, {});
    expect(host.foreground()!.packageName).toBe('com.example.shop');
    await call('POST', `/session/${id}/appium/device/press_keycode`, { keycode: 3 });
    expect(host.foreground()!.packageName).toBe('com.google.android.apps.nexuslauncher');
  });
});

import { createHash } from 'node:crypto';
import { createServer, connect as netConnect, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { PNG } from 'pngjs';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSampleApps } from '../models/index.js';
import type { DeviceIdentity, InstalledPackage, JavaCall, JavaRuntime, LogEntry, PhoneOs, ProcessRecord } from '../contracts.js';
import { parseModel } from '../models/load-model.js';
import { fixedTestIdentity } from '../test-support/identity.js';
import { VirtualAppHost } from './app-host.js';

/** A small in-test phone: just enough OS state for the app runtime. */
function testPhone(apiLevel = 33): PhoneOs & { logs: LogEntry[]; install(pkg: string): InstalledPackage } {
  const identity: DeviceIdentity = fixedTestIdentity({ apiLevel });
  const settings = new Map<string, string>();
  const packages = new Map<string, InstalledPackage>();
  const procs: ProcessRecord[] = [];
  const logs: LogEntry[] = [];
  let nextPid = 4000;
  return {
    identity,
    logs,
    install(name: string): InstalledPackage {
      const pkg: InstalledPackage = {
        packageName: name,
        versionCode: 1,
        versionName: '1.0',
        uid: 10100 + packages.size,
        apkPaths: [`/data/app/${name}/base.apk`],
        hostApkPaths: [],
        requestedPermissions: [],
        granted: new Set(),
        userFixed: new Set(),
        firstInstallTime: 0,
        system: false,
        launchActivity: `${name}/.MainActivity`,
      };
      packages.set(name, pkg);
      return pkg;
    },
    getProp: () => undefined,
    setProp: () => undefined,
    listProps: () => [],
    getSetting: (ns, key) => settings.get(`${ns}/${key}`),
    putSetting: (ns, key, value) => {
      if (value === undefined) settings.delete(`${ns}/${key}`);
      else settings.set(`${ns}/${key}`, value);
    },
    getPackage: (name) => packages.get(name),
    listPackages: () => [...packages.values()],
    trustedCaPems: () => [],
    now: () => Date.now(),
    log: (entry) => logs.push({ time: Date.now(), ...entry }),
    startProcess: (name, uid) => {
      const rec = { pid: (nextPid += 1), ppid: 1, uid, name, user: `u0_a${uid - 10000}`, startedAt: Date.now() };
      procs.push(rec);
      return rec;
    },
    killProcess: (pid) => {
      const i = procs.findIndex((p) => p.pid === pid);
      if (i >= 0) procs.splice(i, 1);
    },
    processes: () => [...procs],
    connect: (host, port) =>
      new Promise<Duplex>((resolve, reject) => {
        const s = netConnect(port, host, () => resolve(s));
        s.once('error', reject);
      }),
    listen: () => () => undefined,
  };
}

/** Records every call the way the instrumentation would see it. */
function recordingRuntime(): JavaRuntime & { calls: (JavaCall & { threw?: string })[]; gated: string[]; lifecycle: string[] } {
  const calls: (JavaCall & { threw?: string })[] = [];
  const gated: string[] = [];
  const lifecycle: string[] = [];
  return {
    calls,
    gated,
    lifecycle,
    invoke<T>(call: JavaCall, original: () => T): T {
      if (/^on(Create|Resume|Pause)$/.test(call.method)) {
        lifecycle.push(`${call.receiverClass}.${call.method}`);
        return original();
      }
      try {
        const value = original();
        calls.push(call);
        return value;
      } catch (err) {
        calls.push({ ...call, threw: (err as Error).name });
        throw err;
      }
    },
    nativeOpen: () => undefined,
    processStarting: async (_pid, pkg) => {
      gated.push(pkg);
    },
    processDied: () => undefined,
  };
}

const MODEL = `schemaVersion: 1
manifest:
  package: com.example.reader
  versionName: "2.1"
  versionCode: 21
  label: 示例阅读
  permissions: [android.permission.READ_PHONE_STATE, android.permission.ACCESS_FINE_LOCATION]
  activities:
    - name: com.example.reader.MainActivity
      launcher: true
  application: com.example.reader.ReaderApp
sdks:
  - id: umeng
    package: com.umeng.analytics
    entryClass: com.umeng.commonsdk.UMConfigure
startScreen: splash
screens:
  - id: splash
    kind: splash
    root: { class: android.widget.FrameLayout, children: [ { id: logo, class: android.widget.ImageView } ] }
  - id: privacy
    kind: privacy-dialog
    onBack: ignore
    root:
      class: android.widget.LinearLayout
      children:
        - { id: title, text: 用户协议与隐私政策 }
        - { id: body, text: "请阅读<script>alert(1)</script>" }
        - { id: btn_agree, class: android.widget.Button, text: 同意, clickable: true }
        - { id: btn_refuse, class: android.widget.Button, text: 不同意, clickable: true }
  - id: main
    kind: main
    root:
      class: android.widget.LinearLayout
      children:
        - { id: search, class: android.widget.EditText, editable: true }
        - { id: btn_locate, class: android.widget.Button, text: Nearby, clickable: true }
behaviours:
  - on: launch
    do:
      - call: android-id
        by: umeng
      - call: device-id
        by: umeng
  - on: launch
    when: { consent: pending }
    do: [ { show: privacy } ]
  - on: launch
    when: { consent: accepted }
    do: [ { show: main } ]
  - on: { tap: btn_agree }
    do: [ { consent: accepted }, { dismiss: true }, { show: main } ]
  - on: { tap: btn_refuse }
    do: [ { consent: refused }, { exit: true } ]
  - on: { tap: btn_locate }
    do: [ { requestPermissions: [android.permission.ACCESS_FINE_LOCATION] } ]
  - on: { permissionGranted: android.permission.ACCESS_FINE_LOCATION }
    do: [ { call: location } ]
  - on: relaunch-after-denial
    do: [ { requestPermissions: [android.permission.ACCESS_FINE_LOCATION] } ]
`;

function center(xml: string, resourceId: string): { x: number; y: number } {
  const m = new RegExp(`resource-id="${resourceId.replace(/[.:/]/g, '\\$&')}"[^>]*bounds="\\[(\\d+),(\\d+)\\]\\[(\\d+),(\\d+)\\]"`).exec(xml);
  if (!m) throw new Error(`no ${resourceId} on screen:\n${xml}`);
  const [x1, y1, x2, y2] = m.slice(1).map(Number) as [number, number, number, number];
  return { x: Math.round((x1 + x2) / 2), y: Math.round((y1 + y2) / 2) };
}

async function tapId(host: VirtualAppHost, id: string): Promise<void> {
  await host.input({ kind: 'tap', ...center(host.uiHierarchyXml(), id) });
  await host.whenIdle();
}

function setup(apiLevel = 33) {
  const os = testPhone(apiLevel);
  const runtime = recordingRuntime();
  const model = parseModel(MODEL, 'reader.model.yaml');
  const host = new VirtualAppHost(os, { javaRuntime: runtime, models: [model], networkTimeoutMs: 2000 });
  os.install('com.example.reader');
  return { os, runtime, host };
}

let servers: Server[] = [];
afterEach(() => {
  for (const s of servers) s.close();
  servers = [];
});

describe('VirtualAppHost', () => {
  it('runs launch behaviours in model order, with SDK stacks, after spawn gating', async () => {
    const { host, runtime } = setup();
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    expect(runtime.gated).toEqual(['com.example.reader']);
    const [androidId, imei] = runtime.calls;
    expect(androidId).toMatchObject({
      className: 'android.provider.Settings$Secure',
      method: 'getString',
      parameterTypes: ['android.content.ContentResolver', 'java.lang.String'],
      args: [expect.any(String), 'android_id'],
      thread: 'main',
      packageName: 'com.example.reader',
    });
    // API frame, then the SDK's frames, then the app's Application.onCreate, then the framework.
    expect(androidId!.stack[0]).toMatch(/^android\.provider\.Settings\$Secure\.getString\(/);
    expect(androidId!.stack[1]).toMatch(/^com\.umeng\.analytics\./);
    expect(androidId!.stack.find((f) => f.startsWith('com.example.reader.'))).toMatch(/^com\.example\.reader\.ReaderApp\.onCreate/);
    expect(androidId!.stack.at(-1)).toMatch(/^com\.android\.internal\.os\.ZygoteInit\.main/);
    expect(androidId!.stack.some((f) => f.startsWith('android.app.ActivityThread'))).toBe(true);
    // The IMEI on Android 13 throws for an ordinary app: still an attempt the hooks saw.
    expect(imei).toMatchObject({ className: 'android.telephony.TelephonyManager', method: 'getImei', threw: 'java.lang.SecurityException' });
    expect(host.foreground()).toMatchObject({ packageName: 'com.example.reader', activity: 'com.example.reader.MainActivity' });
    expect(host.uiHierarchyXml()).toContain('resource-id="com.example.reader:id/btn_agree"');
  });

  it('reports lifecycle callbacks: Application.onCreate, then onResume, onPause on home', async () => {
    const { host, runtime } = setup();
    await host.launch('com.example.reader', {});
    await host.input({ kind: 'key', keyCode: 3 });
    await host.launch('com.example.reader', {});
    expect(runtime.lifecycle).toEqual([
      'com.example.reader.ReaderApp.onCreate',
      'com.example.reader.MainActivity.onResume',
      'com.example.reader.MainActivity.onPause',
      'com.example.reader.MainActivity.onResume',
    ]);
  });

  it('runs periodic behaviours only in the state they name (background here)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] });
    try {
      const os = testPhone();
      const runtime = recordingRuntime();
      const model = parseModel(
        MODEL.replace('behaviours:\n', 'behaviours:\n  - on: { every: 30, while: background }\n    thread: sync-worker\n    do: [ { call: wifi-network } ]\n'),
        'reader.model.yaml',
      );
      const host = new VirtualAppHost(os, { javaRuntime: runtime, models: [model] });
      os.install('com.example.reader');
      await host.launch('com.example.reader', {});
      await host.whenIdle();
      const bssidCalls = () => runtime.calls.filter((c) => c.method === 'getBSSID');
      vi.advanceTimersByTime(60_000);
      await host.whenIdle();
      expect(bssidCalls()).toHaveLength(0);
      await host.input({ kind: 'key', keyCode: 3 });
      vi.advanceTimersByTime(60_000);
      await host.whenIdle();
      expect(bssidCalls()).toHaveLength(2);
      expect(bssidCalls()[0]!.thread).toBe('sync-worker');
      expect(bssidCalls()[0]!.stack.some((f) => f.includes('ScheduledThreadPoolExecutor'))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('dumps the UI in UiAutomator format with hostile text escaped', async () => {
    const { host } = setup();
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    const xml = host.uiHierarchyXml();
    expect(xml.startsWith(`<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example.reader"`)).toBe(true);
    expect(xml).not.toContain('<script>');
    expect(xml).toContain('text="请阅读&lt;script&gt;alert(1)&lt;/script&gt;"');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as { hierarchy: { node: Record<string, string> } };
    const root = parsed.hierarchy.node;
    for (const attr of ['index', 'text', 'resource-id', 'class', 'package', 'content-desc', 'checkable', 'checked', 'clickable', 'enabled', 'focusable', 'focused', 'scrollable', 'long-clickable', 'password', 'selected', 'bounds']) {
      expect(root).toHaveProperty(attr);
    }
    expect(root.bounds).toBe('[0,0][1080,2400]');
  });

  it('routes a tap to the element under it, and only to it', async () => {
    const { host, runtime } = setup();
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    await host.input({ kind: 'tap', x: 2, y: 2300 });
    await host.whenIdle();
    expect(host.stateOf('com.example.reader')!.consent).toBe('pending');
    await tapId(host, 'com.example.reader:id/btn_agree');
    expect(host.stateOf('com.example.reader')!.consent).toBe('accepted');
    expect(host.uiHierarchyXml()).toContain('com.example.reader:id/btn_locate');
    // Typing goes to the focused EditText; DEL removes a character.
    await tapId(host, 'com.example.reader:id/search');
    await host.input({ kind: 'text', text: 'abc' });
    await host.input({ kind: 'key', keyCode: 67 });
    expect(host.uiHierarchyXml()).toMatch(/text="ab" resource-id="com\.example\.reader:id\/search"/);
    expect(runtime.calls.filter((c) => c.method === 'getLastKnownLocation')).toHaveLength(0);
  });

  it('shows the permission controller dialog and fires the granted behaviour', async () => {
    const { host, runtime, os } = setup();
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    await tapId(host, 'com.example.reader:id/btn_agree');
    await tapId(host, 'com.example.reader:id/btn_locate');
    const xml = host.uiHierarchyXml();
    expect(host.foreground()!.packageName).toBe('com.android.permissioncontroller');
    expect(xml).toContain('com.android.permissioncontroller:id/permission_allow_foreground_only_button');
    expect(xml).toContain('com.android.permissioncontroller:id/permission_allow_one_time_button');
    expect(xml).toContain('com.android.permissioncontroller:id/permission_deny_button');
    expect(xml).toContain('Allow 示例阅读 to access this device’s location?');
    const request = runtime.calls.find((c) => c.method === 'requestPermissions');
    expect(request?.args[0]).toEqual(['android.permission.ACCESS_FINE_LOCATION']);
    await tapId(host, 'com.android.permissioncontroller:id/permission_allow_foreground_only_button');
    expect(os.getPackage('com.example.reader')!.granted.has('android.permission.ACCESS_FINE_LOCATION')).toBe(true);
    const location = runtime.calls.find((c) => c.method === 'getLastKnownLocation');
    expect(location?.threw).toBeUndefined();
    expect(location?.stack.some((f) => f.includes('onRequestPermissionsResult'))).toBe(true);
  });

  it('keeps state across relaunch: a denied permission is asked again, then fixed after the second denial', async () => {
    const { host, os } = setup();
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    await tapId(host, 'com.example.reader:id/btn_agree');
    await tapId(host, 'com.example.reader:id/btn_locate');
    await tapId(host, 'com.android.permissioncontroller:id/permission_deny_button');
    host.forceStop('com.example.reader');
    expect(os.processes()).toHaveLength(0);
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    // Consent remembered (main screen), denial remembered (asked again on relaunch).
    expect(host.foreground()!.packageName).toBe('com.android.permissioncontroller');
    const dialogs = host.activity.filter((a) => a.kind === 'permission-dialog');
    expect(dialogs).toHaveLength(2);
    expect(dialogs[1]!.detail.askedBefore).toBe(true);
    await tapId(host, 'com.android.permissioncontroller:id/permission_deny_button');
    expect(os.getPackage('com.example.reader')!.userFixed.has('android.permission.ACCESS_FINE_LOCATION')).toBe(true);
    // pm clear forgets everything the app remembered.
    host.clearData('com.example.reader');
    expect(host.stateOf('com.example.reader')!.consent).toBe('pending');
  });

  it('uses the pre-Android-11 dialog layout on API 29', async () => {
    const { host } = setup(29);
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    await tapId(host, 'com.example.reader:id/btn_agree');
    await tapId(host, 'com.example.reader:id/btn_locate');
    const xml = host.uiHierarchyXml();
    expect(xml).toContain('permission_allow_button');
    expect(xml).toContain('permission_allow_foreground_only_button');
    expect(xml).not.toContain('permission_allow_one_time_button');
  });

  it('refusing exits the app; home and back move it to the background', async () => {
    const { host, os } = setup();
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    await host.input({ kind: 'key', keyCode: 4 });
    expect(host.foreground()!.packageName).toBe('com.example.reader');
    await tapId(host, 'com.example.reader:id/btn_refuse');
    expect(host.stateOf('com.example.reader')!.consent).toBe('refused');
    expect(os.processes()).toHaveLength(0);
    expect(host.foreground()!.packageName).toBe('com.google.android.apps.nexuslauncher');
    await host.launch('com.example.reader', {});
    await host.input({ kind: 'key', keyCode: 3 });
    expect(host.foreground()!.packageName).toBe('com.google.android.apps.nexuslauncher');
    expect(host.activity.at(-1)!.kind).toBe('background');
  });

  it('renders a deterministic PNG of the screen', async () => {
    const { host } = setup();
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    const a = host.screenshotPng();
    const b = host.screenshotPng();
    expect(a.equals(b)).toBe(true);
    const png = PNG.sync.read(a);
    expect([png.width, png.height]).toEqual([1080, 2400]);
    // The agree button is drawn in the button colour.
    const { x, y } = center(host.uiHierarchyXml(), 'com.example.reader:id/btn_agree');
    const i = (y * png.width + (x - 300)) * 4;
    expect([png.data[i], png.data[i + 1], png.data[i + 2]]).toEqual([26, 115, 232]);
  });

  it('an APK without a model is an inert app with a blank screen', async () => {
    const os = testPhone();
    const host = new VirtualAppHost(os, {});
    os.install('com.example.blank');
    await host.launch('com.example.blank', {});
    const xml = host.uiHierarchyXml();
    expect(xml).toContain('package="com.example.blank"');
    expect(xml).not.toContain('clickable="true"');
  });

  it('sends the model requests over the network with placeholders rendered', async () => {
    const received: string[] = [];
    const server = createServer((sock) => {
      let data = '';
      sock.on('data', (c: Buffer) => {
        data += c.toString('latin1');
        if (data.includes('\r\n\r\n') && data.length > data.indexOf('\r\n\r\n') + 4) {
          received.push(data);
          sock.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        }
      });
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const os = testPhone();
    const model = parseModel(
      MODEL.replace(
        '      - call: device-id\n        by: umeng\n',
        `      - call: device-id\n        by: umeng\n      - send: { url: "http://127.0.0.1:${port}/u?aid={{android-id}}", body: "imei={{device-id|md5}}", by: umeng }\n`,
      ),
      'reader.model.yaml',
    );
    const host = new VirtualAppHost(os, { models: [model], networkTimeoutMs: 2000 });
    os.install('com.example.reader');
    await host.launch('com.example.reader', {});
    await host.whenIdle();
    expect(received).toHaveLength(1);
    expect(received[0]).toContain('POST /u?aid=a1b2c3d4e5f60718 HTTP/1.1');
    expect(received[0]).toContain(`imei=${createHash('md5').update('353627074839121').digest('hex')}`);
    const request = host.activity.find((a) => a.kind === 'request');
    expect(request?.detail).toMatchObject({ status: 200, by: 'umeng', via: 'direct' });
  });
});

describe('sample apps play their ground truth', () => {
  const samples = loadSampleApps();
  function play(pkgName: string) {
    const os = testPhone();
    // No network in these tests: connections fail at once, as with no route.
    os.connect = () => Promise.reject(Object.assign(new Error('unreachable'), { code: 'ENETUNREACH' }));
    const runtime = recordingRuntime();
    const host = new VirtualAppHost(os, { javaRuntime: runtime, models: samples.map((s) => s.model), networkTimeoutMs: 1000 });
    for (const s of samples) os.install(s.model.manifest.package);
    return { os, runtime, host, launch: () => host.launch(pkgName, {}).then(() => host.whenIdle()) };
  }

  it('umeng-preconsent: Umeng reads the Android ID and tries the IMEI before any consent, then posts to alog.umeng.com', async () => {
    const { host, runtime, launch } = play('com.consentry.sample.weather');
    await launch();
    expect(host.stateOf('com.consentry.sample.weather')!.consent).toBe('pending');
    expect(runtime.calls.map((c) => `${c.method}${c.threw ? '!' : ''}`)).toEqual(['getString', 'getImei!']);
    expect(runtime.calls.every((c) => c.stack[1]!.startsWith('com.umeng.commonsdk.'))).toBe(true);
    const request = host.activity.find((a) => a.kind === 'request');
    expect(request?.detail).toMatchObject({ url: 'https://alog.umeng.com/app_logs', by: 'umeng' });
    expect(host.uiHierarchyXml()).toContain('com.consentry.sample.weather:id/btn_agree');
  });

  it('compliant-reader: nothing is read before consent', async () => {
    const { host, runtime, launch } = play('com.consentry.sample.reader');
    await launch();
    expect(runtime.calls).toHaveLength(0);
    expect(host.activity.filter((a) => a.kind === 'request')).toHaveLength(0);
    await tapId(host, 'com.consentry.sample.reader:id/btn_agree');
    expect(runtime.calls.map((c) => c.method)).toEqual(['getString']);
  });

  it('location-after-refusal: collection starts at the refusal and keeps running on a loop', async () => {
    vi.useFakeTimers({ toFake: ['setInterval'] });
    try {
      const { host, runtime, launch } = play('com.consentry.sample.bikes');
      await launch();
      await tapId(host, 'com.consentry.sample.bikes:id/btn_disagree');
      expect(runtime.calls).toHaveLength(0);
      await tapId(host, 'com.consentry.sample.bikes:id/btn_still_refuse');
      await host.whenIdle();
      expect(host.stateOf('com.consentry.sample.bikes')!.consent).toBe('refused');
      // Right at the refusal…
      expect(runtime.calls.map((c) => `${c.method}${c.threw ? '!' : ''}`)).toEqual(['getLastKnownLocation!', 'getString']);
      expect(runtime.calls[0]!.thread).toBe('AMapLocationThread');
      expect(runtime.calls[0]!.stack[1]).toMatch(/^com\.amap\.api\.location\./);
      // …and again one period of the loop (`every: 5`) later.
      vi.advanceTimersByTime(5_000);
      await host.whenIdle();
      expect(runtime.calls).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('quits-on-deny: denying the phone permission ends the process', async () => {
    const { host, os, launch } = play('com.consentry.sample.game');
    await launch();
    await tapId(host, 'com.consentry.sample.game:id/btn_agree');
    await host.whenIdle();
    expect(host.foreground()!.packageName).toBe('com.android.permissioncontroller');
    await tapId(host, 'com.android.permissioncontroller:id/permission_deny_button');
    expect(host.runningPid('com.consentry.sample.game')).toBeUndefined();
    expect(os.processes()).toHaveLength(0);
    expect(host.activity.at(-1)).toMatchObject({ kind: 'exit' });
    await launch();
    expect(host.uiHierarchyXml()).toContain('com.consentry.sample.game:id/blocked_text');
  });

  it('camera-nag: a denied camera permission is requested again on relaunch', async () => {
    const { host, launch } = play('com.consentry.sample.scanner');
    await launch();
    await tapId(host, 'com.consentry.sample.scanner:id/btn_agree');
    await host.whenIdle();
    await tapId(host, 'com.android.permissioncontroller:id/permission_deny_button');
    host.forceStop('com.consentry.sample.scanner');
    await launch();
    expect(host.foreground()!.packageName).toBe('com.android.permissioncontroller');
    expect(host.activity.filter((a) => a.kind === 'permission-request')).toHaveLength(2);
  });

  it('hostile-markup: hostile UI text stays inert in a well-formed dump', async () => {
    const { host, launch } = play('com.consentry.sample.hostile');
    await launch();
    const xml = host.uiHierarchyXml();
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).not.toMatch(/<script|<img|<x/);
    expect(xml.includes(String.fromCharCode(7))).toBe(false);
    expect(xml).toContain('text="&lt;script&gt;alert(&apos;title&apos;)&lt;/script&gt;Privacy"');
    expect(xml).toContain('content-desc="&lt;/node&gt;&lt;node text=&quot;injected&quot;&gt;"');
    expect(xml.match(/<node /g)).toHaveLength(6);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../product/core/paths.js';
import { runProcess } from '../../../product/core/process.js';
import { catalogueMethods, type HookCatalogue } from '../../../product/contracts/hook-catalogue.js';
import { JavaThrowable } from './runtime.js';
import { loadAgent } from './test-support/agent-loader.js';

// The real agent bundle, built from tooling/agents/src by the project's build script, run in the virtual
// device's Frida-compatible runtime.
let source = '';
beforeAll(async () => {
  await runProcess(process.execPath, [join(PACKAGE_ROOT, 'tooling', 'scripts', 'build-agents.mjs')], { timeoutMs: 60_000 });
  source = readFileSync(join(PACKAGE_ROOT, 'tooling', 'agents', 'dist', 'privacy.js'), 'utf8');
});

/** A plausible argument of each Java type, honouring the catalogue's filters. */
function argumentsFor(types: string[], overrides: Record<number, unknown>): unknown[] {
  return types.map((t, i) => {
    if (i in overrides) return overrides[i];
    if (t === 'int' || t === 'long' || t === 'float') return 1;
    if (t === 'boolean') return true;
    if (t === 'java.lang.String') return 'value';
    if (t === '[Ljava.lang.String;') return ['android.permission.READ_PHONE_STATE'];
    return { $className: t, toString: () => `${t}@1` };
  });
}

interface Case {
  className: string;
  method: string;
  types: string[];
  args: unknown[];
  expected: string;
}

/** One call per overload per catalogue entry (one per URI prefix for classified entries). */
function cases(catalogue: HookCatalogue): Case[] {
  const out: Case[] = [];
  for (const m of catalogueMethods(catalogue)) {
    const entry = catalogue.privacy.find((e) => e.class === m.className && e.methods.some((x) => x.name === m.method));
    for (const types of m.overloads) {
      if (m.section === 'privacy' && entry?.classify) {
        for (const p of entry.classify.prefixes) {
          out.push({ className: m.className, method: m.method, types, args: argumentsFor(types, { [entry.classify.arg]: `${p.prefix}/1` }), expected: p.dataType });
        }
        continue;
      }
      const overrides = m.section === 'privacy' && entry?.when ? { [entry.when.arg]: entry.when.in[0] } : {};
      out.push({ className: m.className, method: m.method, types, args: argumentsFor(types, overrides), expected: m.dataType! });
    }
  }
  return out;
}

describe('privacy agent in the virtual runtime', () => {
  it('hooks every overload of every catalogue entry and records one event per call with its data type', async () => {
    const agent = await loadAgent(source);
    const ready = agent.messages.find((m) => m.type === 'ready');
    expect(ready?.type === 'ready' && ready.missing).toEqual([]);
    const all = cases(agent.catalogue);
    expect(all.length).toBeGreaterThan(100);
    for (const c of all) {
      let originals = 0;
      const ret = agent.call({ className: c.className, method: c.method, parameterTypes: c.types, args: c.args }, () => {
        originals += 1;
        return 'ORIGINAL';
      });
      const isTls = c.expected === 'tls-bypass';
      // A bypass answers instead of the pinning check; every other hook calls the original once.
      expect({ api: `${c.className}.${c.method}`, originals }).toEqual({ api: `${c.className}.${c.method}`, originals: isTls ? 0 : 1 });
      if (!isTls) expect(ret).toBe('ORIGINAL');
    }
    await agent.flush();
    const events = agent.events();
    expect(events.map((e) => [e.api, e.overload, e.dataType])).toEqual(
      all.map((c) => [`${c.className}.${c.method}`, `(${c.types.join(',')})`, c.expected]),
    );
    for (const e of events) {
      expect(e.stack[1]).toBe('com.example.app.MainActivity.onCreate(MainActivity.java:10)');
      expect(e.thread).toBe('main');
      expect(e.monotonicNs).toMatch(/^\d+$/);
      expect(e.outcome.kind).toBe('returned');
    }
    expect(agent.errors).toEqual([]);
  });

  it('keeps identifier values, records the caller stack, and names requested permissions', async () => {
    const agent = await loadAgent(source);
    agent.call(
      {
        className: 'android.provider.Settings$Secure',
        method: 'getString',
        parameterTypes: ['android.content.ContentResolver', 'java.lang.String'],
        args: [{ toString: () => 'android.app.ContextImpl$ApplicationContentResolver@1' }, 'android_id'],
        stack: ['com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidID(DeviceConfig.java:1)', 'com.example.app.App.onCreate(App.java:5)'],
        thread: 'umeng-worker',
      },
      () => '9774d56d682e549c',
    );
    agent.call(
      { className: 'android.app.Activity', method: 'requestPermissions', parameterTypes: ['[Ljava.lang.String;', 'int'], args: [['android.permission.CAMERA', 'android.permission.RECORD_AUDIO'], 7] },
      () => undefined,
    );
    await agent.flush();
    const [id, perm] = agent.events();
    expect(id).toMatchObject({
      dataType: 'android-id',
      ret: '9774d56d682e549c',
      thread: 'umeng-worker',
      stack: [
        'android.provider.Settings$Secure.getString(Native Method)',
        'com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidID(DeviceConfig.java:1)',
        'com.example.app.App.onCreate(App.java:5)',
      ],
    });
    expect(id!.args[1]).toBe('android_id');
    expect(perm).toMatchObject({ dataType: 'permission-request', permissions: ['android.permission.CAMERA', 'android.permission.RECORD_AUDIO'] });
    expect(perm!.ret).toBeUndefined();
  });

  it('sends each distinct stack once, by id after that, and inline once its table is full', async () => {
    const agent = await loadAgent(source, { agentOptions: { stackTableMaxStacks: 2, sampleKeepPerWindow: 100 } });
    const imei = (caller: string) =>
      agent.call({ className: 'android.telephony.TelephonyManager', method: 'getImei', parameterTypes: [], stack: [caller, 'android.app.Activity.performCreate(Activity.java:8000)'] }, () => '860000000000001');
    for (const caller of ['com.a.A.m(A.java:1)', 'com.a.A.m(A.java:1)', 'com.b.B.m(B.java:2)', 'com.c.C.m(C.java:3)', 'com.a.A.m(A.java:1)']) imei(caller);
    await agent.flush();
    const batches = agent.messages.filter((m) => m.type === 'events');
    const wire = batches.flatMap((m) => (m.type === 'events' ? m.events : [])) as { stack?: string[]; stackId?: number }[];
    // Two stacks fit the table; the third caller's goes inline; the first is still by id.
    expect(wire.map((e) => e.stackId ?? 'inline')).toEqual([0, 0, 1, 'inline', 0]);
    expect(batches.flatMap((m) => (m.type === 'events' ? (m.stacks ?? []) : []))).toHaveLength(2);
    expect(agent.events().map((e) => e.stack[1])).toEqual(['com.a.A.m(A.java:1)', 'com.a.A.m(A.java:1)', 'com.b.B.m(B.java:2)', 'com.c.C.m(C.java:3)', 'com.a.A.m(A.java:1)']);
  });

  it('ignores calls the catalogue filters out (a Settings key that is not android_id, an unclassified URI)', async () => {
    const agent = await loadAgent(source);
    const secure = { className: 'android.provider.Settings$Secure', method: 'getString', parameterTypes: ['android.content.ContentResolver', 'java.lang.String'] };
    expect(agent.call({ ...secure, args: [null, 'bluetooth_name'] }, () => 'Pixel')).toBe('Pixel');
    agent.call(
      { className: 'android.content.ContentResolver', method: 'query', parameterTypes: ['android.net.Uri', '[Ljava.lang.String;', 'android.os.Bundle', 'android.os.CancellationSignal'], args: ['content://com.example.provider/items', null, null, null] },
      () => null,
    );
    await agent.flush();
    expect(agent.events()).toEqual([]);
  });

  it('records a throwing API as an attempt with outcome threw, and rethrows to the app', async () => {
    const agent = await loadAgent(source);
    const thrown = new JavaThrowable('java.lang.SecurityException', 'getDeviceId: The user 10123 does not meet the requirements to access device identifiers.');
    expect(() =>
      agent.call({ className: 'android.telephony.TelephonyManager', method: 'getDeviceId', parameterTypes: [] }, () => {
        throw thrown;
      }),
    ).toThrow(thrown);
    await agent.flush();
    const [event] = agent.events();
    expect(event).toMatchObject({ dataType: 'device-id', outcome: { kind: 'threw' } });
    expect(event!.outcome.error).toContain('java.lang.SecurityException');
    expect(event!.ret).toBeUndefined();
  });

  it('samples a storm: the first calls are kept and the rest are counted in one sampled event', async () => {
    const agent = await loadAgent(source, { agentOptions: { sampleKeepPerWindow: 5, sampleWindowMs: 60_000 } });
    for (let i = 0; i < 1000; i += 1) {
      agent.call({ className: 'android.net.wifi.WifiInfo', method: 'getSSID', parameterTypes: [] }, () => '"home"');
    }
    await agent.flush();
    const events = agent.events();
    const plain = events.filter((e) => !e.sampled);
    const sampled = events.filter((e) => e.sampled);
    expect(plain).toHaveLength(5);
    expect(sampled).toHaveLength(1);
    expect(sampled[0]).toMatchObject({ dataType: 'wifi-network', sampled: { count: 995, windowMs: 60_000 } });
  });

  it('bypasses certificate pinning and records each bypass; with the bypass off the pin holds', async () => {
    const pinned = () => {
      throw new JavaThrowable('javax.net.ssl.SSLPeerUnverifiedException', 'Certificate pinning failure!');
    };
    const check = { className: 'okhttp3.CertificatePinner', method: 'check', parameterTypes: ['java.lang.String', 'java.util.List'], args: ['api.example.com', []] };
    const on = await loadAgent(source);
    expect(() => on.call(check, pinned)).not.toThrow();
    await on.flush();
    expect(on.events()).toMatchObject([{ dataType: 'tls-bypass', api: 'okhttp3.CertificatePinner.check', args: ['api.example.com', '[]'] }]);

    const off = await loadAgent(source, { pid: 4343, agentOptions: { tlsBypass: false } });
    expect(() => off.call({ ...check, pid: 4343 }, pinned)).toThrow(/pinning/);
    await off.flush();
    expect(off.events()).toEqual([]);
  });

  it('records native side channels (openat of a MAC address file) and ignores other paths', async () => {
    const agent = await loadAgent(source);
    agent.runtime.nativeOpen('/data/data/com.example.app/files/a.txt', 4242, 'com.example.app', []);
    agent.runtime.nativeOpen('/sys/class/net/wlan0/address', 4242, 'com.example.app', ['com.example.app.Net.mac(Net.java:3)']);
    await agent.flush();
    expect(agent.events()).toMatchObject([
      { dataType: 'mac-address', api: 'libc!openat', args: ['/sys/class/net/wlan0/address'], stack: ['com.example.app.Net.mac(Net.java:3)'], outcome: { kind: 'returned' } },
    ]);
  });

  it('reports lifecycle transitions with the activity class, and hooks only its own process', async () => {
    const agent = await loadAgent(source);
    agent.call({ className: 'android.app.Activity', method: 'onResume', parameterTypes: [], receiverClass: 'com.example.app.MainActivity' } as never, () => undefined);
    agent.call({ className: 'android.telephony.TelephonyManager', method: 'getImei', parameterTypes: [], pid: 999 }, () => '358240051111110');
    await agent.flush();
    expect(agent.events()).toMatchObject([{ dataType: 'lifecycle', lifecycle: { state: 'foreground', component: 'com.example.app.MainActivity' } }]);
  });

  it('hooks what an abstract-class call reaches (PackageManager → ApplicationPackageManager) without doubling an API frame', async () => {
    const agent = await loadAgent(source);
    agent.call(
      {
        className: 'android.content.pm.PackageManager',
        method: 'getInstalledPackages',
        parameterTypes: ['int'],
        args: [0],
        stack: ['android.app.ApplicationPackageManager.getInstalledPackages(ApplicationPackageManager.java:1)', 'com.example.app.Scan.run(Scan.java:2)'],
      },
      () => [],
    );
    await agent.flush();
    expect(agent.events()).toMatchObject([
      {
        dataType: 'installed-apps',
        api: 'android.app.ApplicationPackageManager.getInstalledPackages',
        stack: ['android.app.ApplicationPackageManager.getInstalledPackages(ApplicationPackageManager.java:1)', 'com.example.app.Scan.run(Scan.java:2)'],
      },
    ]);
  });
});

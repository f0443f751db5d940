import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runMeta } from '../../product/evidence/bundle/test-support/factories.js';
import { BundleWriter } from '../../product/evidence/bundle/writer.js';
import { HookEvent, Marker, RunMeta } from '../../product/contracts/bundle-schema.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';
import { JavaWorld } from '../virtual-device/frida/java-world.js';
import { JavaThrowable, VirtualJavaRuntime } from '../virtual-device/frida/runtime.js';
import { startFridaService } from '../virtual-device/frida/service.js';
import type { JavaCall } from '../virtual-device/contracts.js';
import { readAgentBundle } from '../../product/capture/instrumentation/agent-bundle.js';
import { FridaInstrumentation } from '../../product/capture/instrumentation/frida-instrumentation.js';
import { loadHookCatalogue } from '../../product/contracts/hook-catalogue.js';
import { createVirtualFrida } from '../../product/capture/instrumentation/virtual-frida-client.js';

// The adapter against the virtual device's frida service, over TCP, with the real agent bundle.
// The "phone" here is a minimal in-test PhoneOs (listen + identity) and a scripted app model.

const APP = 'com.example.shop';
const catalogue = loadHookCatalogue();
let agentSource = '';
const cleanups: (() => unknown)[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  await runProcess(process.execPath, [join(PACKAGE_ROOT, 'tooling', 'scripts', 'build-agents.mjs')], { timeoutMs: 60_000 });
  agentSource = readAgentBundle();
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Phone {
  runtime: VirtualJavaRuntime;
  address: string;
  /** Behaviour run once a process of the app is resumed. */
  behaviour: Map<string, (pid: number) => void>;
  startProcess(name: string): Promise<number>;
  kill(pid: number, reason?: string): void;
  dropConnections(): void;
}

async function phone(): Promise<Phone> {
  let nextPid = 5000;
  const names = new Map<number, string>();
  const runtime = new VirtualJavaRuntime({ world: JavaWorld.fromCatalogue(catalogue), androidVersion: '13', processName: (pid) => names.get(pid) });
  const behaviour = new Map<string, (pid: number) => void>();
  const sockets = new Set<Duplex>();
  let onConnection: ((s: Duplex) => void) | undefined;
  const startProcess = async (name: string) => {
    const pid = ++nextPid;
    names.set(pid, name);
    await runtime.processStarting(pid, name.split(':')[0]!);
    behaviour.get(name)?.(pid);
    return pid;
  };
  const stop = startFridaService({
    os: {
      identity: { serial: 'virtual-1', model: 'Virtual Pixel' } as never,
      listen: (_port, handler) => {
        onConnection = handler;
        return () => (onConnection = undefined);
      },
    },
    runtime,
    launch: async (identifier) => {
      await startProcess(identifier);
    },
    kill: (pid) => runtime.processDied(pid, 'killed'),
    spawnTimeoutMs: 5000,
  });
  // Stands in for `adb forward tcp:<port> tcp:27042`.
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection?.(socket);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  cleanups.push(
    () => new Promise<void>((r) => {
      stop();
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  );
  return {
    runtime,
    address: `127.0.0.1:${port}`,
    behaviour,
    startProcess,
    kill: (pid, reason = 'killed') => runtime.processDied(pid, reason),
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

function bundle(): BundleWriter {
  const root = mkdtempSync(join(tmpdir(), 'consentry-instr-'));
  dirs.push(root);
  const meta = runMeta({ runId: `run-${dirs.length}`, app: { package: APP }, coverage: {}, device: { serial: 'virtual-1', profile: 'virtual', clockOffsetMs: 250 } });
  return BundleWriter.create(root, { ...meta, outcome: 'running' });
}

async function read(writer: BundleWriter) {
  await writer.finish('complete');
  const lines = (f: string) => readFileSync(join(writer.dir, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  // No event at all leaves no events.jsonl.
  const events = existsSync(join(writer.dir, 'events.jsonl')) ? lines('events.jsonl').map((e) => HookEvent.parse(e)) : [];
  return {
    events,
    markers: lines('markers.jsonl').map((m) => Marker.parse(m)),
    run: RunMeta.parse(JSON.parse(readFileSync(join(writer.dir, 'run.json'), 'utf8'))),
  };
}

const call = (pid: number, c: Partial<JavaCall> & Pick<JavaCall, 'className' | 'method' | 'parameterTypes'>): JavaCall => ({
  args: [],
  stack: [`${APP}.MainActivity.onCreate(MainActivity.java:12)`],
  thread: 'main',
  pid,
  packageName: APP,
  ...c,
});

async function instrumentation(p: Phone, frida = createVirtualFrida()) {
  cleanups.push(() => frida.closeAll());
  return new FridaInstrumentation({ frida, device: { kind: 'remote', address: p.address }, agentSource, catalogue, readyTimeoutMs: 5000 });
}

describe('Frida adapter over the virtual device', () => {
  it('spawns the app with hooks in before onCreate and writes attributed events to the bundle', async () => {
    const p = await phone();
    const seenBeforeResume: string[] = [];
    p.behaviour.set(APP, (pid) => {
      // Application.onCreate: the first code the app runs. Hooks must already be in.
      p.runtime.invoke(call(pid, { className: 'android.app.Application', method: 'onCreate', parameterTypes: [] }), () => seenBeforeResume.push('onCreate'));
      p.runtime.invoke(
        call(pid, {
          className: 'android.provider.Settings$Secure',
          method: 'getString',
          parameterTypes: ['android.content.ContentResolver', 'java.lang.String'],
          args: [null, 'android_id'],
          stack: ['com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidID(DeviceConfig.java:1)', `${APP}.App.onCreate(App.java:5)`],
          thread: 'umeng-init',
        }),
        () => '9774d56d682e549c',
      );
      expect(() =>
        p.runtime.invoke(call(pid, { className: 'android.telephony.TelephonyManager', method: 'getImei', parameterTypes: [] }), () => {
          throw new JavaThrowable('java.lang.SecurityException', 'not allowed');
        }),
      ).toThrow('not allowed');
    });
    const writer = bundle();
    const app = await (await instrumentation(p)).start({ packageName: APP, sink: writer });
    const pid = await app.launch();
    expect(app.pids).toEqual([pid]);
    await app.flush();
    await app.stop();
    const { events, markers, run } = await read(writer);
    expect(seenBeforeResume).toEqual(['onCreate']);
    expect(events.map((e) => [e.dataType, e.api, e.attribution?.party, e.attribution?.sdk, e.outcome.kind])).toEqual([
      ['lifecycle', 'android.app.Application.onCreate', 'first', undefined, 'returned'],
      ['android-id', 'android.provider.Settings$Secure.getString', 'sdk', 'umeng', 'returned'],
      ['device-id', 'android.telephony.TelephonyManager.getImei', 'first', undefined, 'threw'],
    ]);
    const id = events[1]!;
    expect(id.ret).toBe('9774d56d682e549c');
    expect(id.pid).toBe(pid);
    expect(id.process).toBe(APP);
    expect(id.t - id.tDevice!).toBe(250);
    expect(markers.filter((m) => m.kind === 'instrumentation.attached')).toHaveLength(1);
    expect(run.coverage.instrumentation).toBe('active');
  });

  it('instruments the app\'s :push process caught by spawn gating, and lets other apps run untouched', async () => {
    const p = await phone();
    p.behaviour.set(`${APP}:push`, (pid) => {
      p.runtime.invoke(call(pid, { className: 'android.net.wifi.WifiInfo', method: 'getMacAddress', parameterTypes: [], stack: ['cn.jpush.android.d.a.b(Unknown Source:3)'] }), () => '02:00:00:00:00:00');
    });
    let otherRan = false;
    p.behaviour.set('com.other.app', (pid) => {
      otherRan = true;
      p.runtime.invoke(call(pid, { className: 'android.net.wifi.WifiInfo', method: 'getMacAddress', parameterTypes: [], packageName: 'com.other.app' }), () => 'x');
    });
    const writer = bundle();
    const app = await (await instrumentation(p)).start({ packageName: APP, sink: writer });
    await app.launch();
    const [pushPid] = await Promise.all([p.startProcess(`${APP}:push`), p.startProcess('com.other.app')]);
    expect(otherRan).toBe(true);
    expect(app.pids).toContain(pushPid);
    await app.flush();
    await app.stop();
    const { events } = await read(writer);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ dataType: 'mac-address', process: `${APP}:push`, pid: pushPid, attribution: { party: 'sdk', sdk: 'jpush' } });
  });

  it('records a crash of the app as app.crash, and the loss of frida as instrumentation.died in coverage', async () => {
    const p = await phone();
    const writer = bundle();
    const app = await (await instrumentation(p)).start({ packageName: APP, sink: writer });
    const pid = await app.launch();
    p.kill(pid, 'crash: FATAL EXCEPTION in main');
    await new Promise((r) => setTimeout(r, 100));
    const second = await app.relaunch();
    expect(second).not.toBe(pid);
    p.dropConnections();
    await new Promise((r) => setTimeout(r, 100));
    await app.stop();
    const { markers, run } = await read(writer);
    expect(markers.map((m) => m.kind)).toEqual(['instrumentation.attached', 'app.crash', 'instrumentation.attached', 'instrumentation.died']);
    expect(run.coverage.instrumentation).toBe('died');
    expect(run.coverage.instrumentationNote).toMatch(/lost|connection/);
  });
});

import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, type Duplex } from 'node:stream';
import * as adbkitModule from '@devicefarmer/adbkit';
import type { Client } from '@devicefarmer/adbkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../product/core/free-port.js';
import { runProcess, startProcess, waitForLine, type RunResult } from '../../product/core/process.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { apktoolAvailable, buildHostileApk } from '../../product/evidence/apps/test-support/index.js';
import { parseDfAvailable } from '../../product/capture/devices/facts.js';
import { parseDeviceTime } from '../../product/capture/scenarios/clock.js';
import { startVirtualDevice, type VirtualDevice } from '../virtual-device/index.js';

/**
 * The virtual device against the real Debian adb (own server on a free port) and the real
 * @devicefarmer/adbkit through that server.
 */

const SETTINGS_APK = join(
  PACKAGE_ROOT,
  '.appium/node_modules/appium-uiautomator2-driver/node_modules/io.appium.settings/apks/settings_apk-debug.apk',
);
const ECHO_PORT = 7007;

let adbPort: number;
let device: VirtualDevice;
let serial: string;
let work: string;

function adb(args: string[], okCodes = [0]): Promise<RunResult> {
  return runProcess('adb', ['-P', String(adbPort), ...args], { timeoutMs: 60_000, okCodes });
}
function shell(command: string, okCodes = [0]): Promise<RunResult> {
  return adb(['-s', serial, 'shell', command], okCodes);
}

function adbkitClient(): Client {
  const mod = adbkitModule as unknown as { default?: { Adb?: { createClient(o: object): Client } }; Adb?: { createClient(o: object): Client } };
  const Adb = mod.Adb ?? mod.default?.Adb;
  if (!Adb) throw new Error('adbkit has no Adb export');
  return Adb.createClient({ port: adbPort });
}

async function readAll(stream: Duplex): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'consentry-vd-e2e-'));
  device = await startVirtualDevice({});
  serial = device.serial;
  // A device-side echo server, as an on-device app listening on a port would be.
  device.os.listen(ECHO_PORT, (socket) => socket.pipe(socket));
  adbPort = await freePort();
  await runProcess('adb', ['-P', String(adbPort), 'start-server'], { timeoutMs: 30_000 });
  const connected = await adb(['connect', serial]);
  expect(connected.stdout).toContain(`connected to ${serial}`);
  // `adb connect` returns before the transport is online; wait for it, bounded.
  await adb(['-s', serial, 'wait-for-device']);
});

afterAll(async () => {
  await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 15_000, okCodes: [0, 1] }).catch(() => undefined);
  await device?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('virtual device with the real adb', () => {
  it('is listed by `adb devices -l` with its product, model and device', async () => {
    const { stdout } = await adb(['devices', '-l']);
    const line = stdout.split('\n').find((l) => l.startsWith(serial));
    expect(line).toMatch(/\bdevice\b/);
    expect(line).toContain('product:consentry_virtual');
    expect(line).toContain('model:Consentry_Virtual');
    expect(line).toContain('device:cvirtual');
  });

  it('answers getprop and logs the command', async () => {
    const { stdout } = await shell('getprop ro.product.model');
    expect(stdout.trim()).toBe('Consentry Virtual');
    expect((await shell('getprop ro.build.version.sdk')).stdout.trim()).toBe('33');
    expect(device.commandLog.some((c) => c.service === 'shell' && c.command === 'getprop ro.product.model')).toBe(true);
  });

  it('reports exit codes through shell v2: false is 1, an unknown command 127 with sh\'s message', async () => {
    expect((await shell('true')).code).toBe(0);
    expect((await shell('false', [1])).code).toBe(1);
    const unknown = await shell('no-such-tool --x', [127]);
    expect(unknown.code).toBe(127);
    expect(unknown.stderr).toContain('/system/bin/sh: no-such-tool: not found');
  });

  it('runs pipelines, lists and redirections', async () => {
    const { stdout } = await shell('echo one; echo two | grep tw && echo ok || echo bad; ls /nope > /dev/null 2>&1; echo $?');
    expect(stdout.split('\n').filter(Boolean)).toEqual(['one', 'two', 'ok', '1']);
  });

  it('pushes and pulls a 1 MiB file unchanged', async () => {
    const local = join(work, 'big.bin');
    const back = join(work, 'big.back');
    const data = randomBytes(1024 * 1024);
    await writeFile(local, data);
    await adb(['-s', serial, 'push', local, '/sdcard/Download/big.bin']);
    expect(device.os.fs.readFile('/sdcard/Download/big.bin').equals(data)).toBe(true);
    expect((await shell('ls -l /sdcard/Download')).stdout).toMatch(/1048576 .* big\.bin/);
    await adb(['-s', serial, 'pull', '/sdcard/Download/big.bin', back]);
    expect((await readFile(back)).equals(data)).toBe(true);
  });

  it('forwards a host port to a device-side listener (adb forward)', async () => {
    const hostPort = await freePort();
    await adb(['-s', serial, 'forward', `tcp:${hostPort}`, `tcp:${ECHO_PORT}`]);
    const socket = connect(hostPort, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('ping through forward');
    const [reply] = (await once(socket, 'data')) as [Buffer];
    expect(reply.toString()).toBe('ping through forward');
    socket.destroy();
    await adb(['-s', serial, 'forward', '--remove', `tcp:${hostPort}`]);
  });

  it('tunnels device connections to a host server (adb reverse)', async () => {
    const hostPort = await freePort();
    const server: Server = createServer((s) => s.end('hello from the host'));
    await new Promise<void>((resolve) => server.listen(hostPort, '127.0.0.1', resolve));
    try {
      await adb(['-s', serial, 'reverse', 'tcp:8899', `tcp:${hostPort}`]);
      expect((await adb(['-s', serial, 'reverse', '--list'])).stdout).toContain(`tcp:8899 tcp:${hostPort}`);
      // An app on the device connects to 127.0.0.1:8899 and reaches the host server.
      const appSocket = await device.os.connect('127.0.0.1', 8899);
      expect(await readAll(appSocket)).toBe('hello from the host');
      await adb(['-s', serial, 'reverse', '--remove', 'tcp:8899']);
      await expect(device.os.connect('127.0.0.1', 8899)).rejects.toThrow(/refused/);
    } finally {
      server.close();
    }
  });

  it('installs a real APK and lists it; uninstall of a missing package fails', async () => {
    const { stdout } = await adb(['-s', serial, 'install', SETTINGS_APK]);
    expect(stdout).toContain('Success');
    expect((await shell('pm list packages -3')).stdout).toContain('package:io.appium.settings');
    expect((await shell('dumpsys package io.appium.settings')).stdout).toContain('versionName=8.0.9');
    expect(device.commandLog.some((c) => c.service === 'exec' && c.command.startsWith('cmd package'))).toBe(true);
    await adb(['-s', serial, 'uninstall', 'io.appium.settings']);
    const again = await adb(['-s', serial, 'uninstall', 'io.appium.settings'], [0, 1]);
    expect(again.stdout + again.stderr).toContain('DELETE_FAILED_INTERNAL_ERROR');
  });

  it('streams logcat -v threadtime until the client goes away', async () => {
    const logcat = startProcess('adb', ['-P', String(adbPort), '-s', serial, 'logcat', '-v', 'threadtime', '-T', '1'], { name: 'adb-logcat' });
    try {
      // Entries logged while the stream is open arrive on it, in threadtime format.
      const timer = setInterval(() => device.os.log({ pid: 4242, tid: 4243, priority: 'W', tag: 'E2eProbe', message: 'streamed entry', buffer: 'main' }), 200);
      const line = await waitForLine(logcat, (l) => l.includes('E2eProbe'), 20_000).finally(() => clearInterval(timer));
      expect(line).toMatch(/^\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} {2}4242 {2}4243 W E2eProbe: streamed entry/);
    } finally {
      await logcat.stop();
    }
  });
});

describe('virtual device through @devicefarmer/adbkit', () => {
  it('lists the device, runs shell commands, pushes, installs, forwards and reads logcat', async () => {
    const client = adbkitClient();
    const devices = await client.listDevices();
    expect(devices.map((d: { id: string }) => d.id)).toContain(serial);
    const dev = client.getDevice(serial);

    expect((await readAll(await dev.shell('getprop ro.product.manufacturer'))).trim()).toBe(device.os.identity.manufacturer);

    const transfer = await dev.push(Readable.from([Buffer.from('from adbkit')]), '/data/local/tmp/adbkit.txt');
    await new Promise<void>((resolve, reject) => {
      transfer.on('end', () => resolve());
      transfer.on('error', reject);
    });
    expect(device.os.fs.readFile('/data/local/tmp/adbkit.txt').toString()).toBe('from adbkit');

    await dev.install(SETTINGS_APK);
    expect(device.os.getPackage('io.appium.settings')?.versionName).toBe('8.0.9');

    const hostPort = await freePort();
    await dev.forward(`tcp:${hostPort}`, `tcp:${ECHO_PORT}`);
    const socket = connect(hostPort, '127.0.0.1');
    await once(socket, 'connect');
    socket.write('adbkit forward');
    expect(((await once(socket, 'data')) as [Buffer])[0].toString()).toBe('adbkit forward');
    socket.destroy();

    const reader = await dev.openLogcat();
    try {
      const seen = new Promise<{ tag: string; message: string }>((resolve) => {
        reader.on('entry', (entry: { tag: string; message: string }) => {
          if (entry.tag === 'AdbkitProbe') resolve(entry);
        });
      });
      const timer = setInterval(() => device.os.log({ pid: 777, tid: 777, priority: 'I', tag: 'AdbkitProbe', message: 'binary entry', buffer: 'main' }), 200);
      const entry = await Promise.race([seen, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no logcat entry')), 20_000))]).finally(() => clearInterval(timer));
      expect(entry.message).toBe('binary entry');
    } finally {
      reader.end();
    }
  });
});

describe('consentry virtual-device (CLI)', () => {
  it('starts a farm on consecutive ports with distinct identities and stops on SIGTERM', async () => {
    const proc = startProcess(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'product/cli/main.ts'), 'virtual-device', '--count', '2'], {
      name: 'consentry-virtual-device',
      cwd: PACKAGE_ROOT,
    });
    const ready: string[] = [];
    proc.child.stdout?.on('data', (b: Buffer) => ready.push(...b.toString().split('\n').filter((l) => l.startsWith('ready '))));
    try {
      await waitForLine(proc, (l) => ready.length >= 2 || l === '', 90_000).catch(() => undefined);
      for (let i = 0; i < 100 && ready.length < 2; i += 1) await new Promise((r) => setTimeout(r, 200));
      expect(ready).toHaveLength(2);
      const serials = ready.map((l) => l.slice('ready '.length));
      const ports = serials.map((s) => Number(s.split(':')[1]));
      expect(ports[1]).toBe(ports[0]! + 1);
      const ids: string[] = [];
      for (const s of serials) {
        await adb(['connect', s]);
        await adb(['-s', s, 'wait-for-device']);
        ids.push((await adb(['-s', s, 'shell', 'getprop ro.serialno; settings get secure android_id'])).stdout);
        await adb(['disconnect', s]);
      }
      expect(ids[0]).not.toBe(ids[1]);
      proc.child.kill('SIGTERM');
      expect(await proc.exited).toBe(0);
    } finally {
      await proc.stop();
    }
  });
});

const haveApktool = await apktoolAvailable();

describe('device facts and UI dumps through the real adb', () => {
  it('dumps the UI hierarchy with uiautomator and pulls it back', async () => {
    const dump = await shell('uiautomator dump');
    expect(dump.stdout).toBe('UI hierchary dumped to: /sdcard/window_dump.xml\n');
    const local = join(work, 'window_dump.xml');
    await adb(['-s', serial, 'pull', '/sdcard/window_dump.xml', local]);
    expect(await readFile(local, 'utf8')).toMatch(/^<\?xml version='1\.0' encoding='UTF-8' standalone='yes' \?><hierarchy rotation="0"><node /);
  });

  it('answers df and the device clock in forms the harness parsers read', async () => {
    const free = parseDfAvailable((await shell('df -k /data')).stdout);
    expect(free).toBeGreaterThan(1024 ** 3);
    // The scenario clock's own probe line, as the scenario stage sends it.
    const before = Date.now();
    const time = parseDeviceTime((await shell('echo "$EPOCHREALTIME"; date +%s%N; date +%s')).stdout);
    expect(time?.precisionMs).toBe(1);
    expect(Math.abs(time!.ms - before)).toBeLessThan(10_000);
    expect((await shell('date +%s%3N')).stdout).toMatch(/^\d{13}\n$/);
  });

  it.skipIf(!haveApktool)('fails `adb install` of a hostile APK with Android\'s failure line, in bounded time', async () => {
    for (const kind of ['bad-axml-zero-chunk', 'zip-bomb', 'invalid-package-name'] as const) {
      const r = await adb(['-s', serial, 'install', await buildHostileApk(kind)], [0, 1]);
      expect(`${r.stdout}${r.stderr}`).toMatch(/Failure \[INSTALL_PARSE_FAILED_[A-Z_]+(: [^\]]+)?\]/);
    }
    expect((await shell('pm list packages -3')).stdout).not.toContain('com.x');
  });
});

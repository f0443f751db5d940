import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtIn, PACKAGE_ROOT } from '../../product/core/paths.js';
import { freePort } from '../../product/core/free-port.js';
import { runProcess } from '../../product/core/process.js';
import { AdbDeviceProvider, DevicePool, LeaseClaims, NoDeviceAvailableError, QuarantineStore, loadProfiles, quarantineFileIn } from '../../product/capture/devices/index.js';

/**
 * Discovery and tracking with the real adb server (its own, on a free port) and real adbkit,
 * without any phone: a TCP "phone" that accepts the connection and never speaks is what adb
 * calls offline. The pool must list it with what to do, refuse to lease it without hanging,
 * and see it go when it is disconnected.
 */
let adbPort: number;
let silent: Server;
let silentPort: number;
const sockets: Socket[] = [];
let work: string;
let pool: DevicePool | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'consentry-devices-adb-'));
  adbPort = await freePort();
  await runProcess('adb', ['-P', String(adbPort), 'start-server'], { timeoutMs: 30_000 });
  silent = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentPort = (silent.address() as { port: number }).port;
});

afterAll(async () => {
  await pool?.close();
  for (const s of sockets) s.destroy();
  silent?.close();
  if (adbPort) await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 15_000 }).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
});

const CLI = join(PACKAGE_ROOT, 'product', 'cli', 'main.ts');

describe('device discovery through the real adb server', () => {
  it('connects a network device, lists it offline with a network hint, never leases it, sees it removed', async () => {
    const serial = `127.0.0.1:${silentPort}`;
    const provider = new AdbDeviceProvider({ server: { path: 'adb', host: '127.0.0.1', port: adbPort }, networkDevices: [serial] });
    pool = await DevicePool.open({
      provider,
      profiles: loadProfiles(builtIn.deviceProfiles),
      quarantine: new QuarantineStore(join(work, 'quarantine.json')),
      claims: new LeaseClaims(join(work, 'leases')),
      maxConsecutiveFailures: 3,
      heartbeatTimeoutMs: 30_000,
      maxLeaseMs: 60_000,
    });
    await expect.poll(() => pool!.snapshot().find((d) => d.serial === serial)?.state, { timeout: 15_000 }).toBe('offline');
    const status = pool.snapshot().find((d) => d.serial === serial)!;
    expect(status.transport).toBe('tcp');
    expect(status.hint).toMatch(/adb connect HOST:PORT/);

    const err = await pool.lease({ timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoDeviceAvailableError);
    expect((err as Error).message).toContain(`${serial} offline`);

    // The CLI, in its own process, sees the same device through the same adb server.
    const config = join(work, 'consentry.config.yaml');
    writeFileSync(config, `adb:\n  port: ${adbPort}\ncapturesRoot: ${join(work, 'captures')}\nstateDir: ${join(work, 'state')}\n`);
    const listed = await runProcess(process.execPath, ['--import', 'tsx', CLI, '-c', config, '--json', 'devices'], { timeoutMs: 60_000, cwd: PACKAGE_ROOT });
    const doc = JSON.parse(listed.stdout) as { devices: { serial: string; state: string; hint: string }[] };
    expect(doc.devices.find((d) => d.serial === serial)).toMatchObject({ state: 'offline', hint: expect.stringMatching(/adb connect/) });

    await runProcess('adb', ['-P', String(adbPort), 'disconnect', serial], { timeoutMs: 15_000 });
    await expect.poll(() => provider.list().some((d) => d.serial === serial), { timeout: 15_000 }).toBe(false);
    expect(pool.snapshot().find((d) => d.serial === serial)?.hint).toMatch(/disconnected/);
  });
});

describe('consentry devices --unquarantine', () => {
  it('releases a quarantined device and says so; a second release is a usage error', async () => {
    const captures = join(work, 'captures-q');
    const state = join(work, 'state-q');
    new QuarantineStore(quarantineFileIn(state)).add({
      serial: 'R58M123',
      since: Date.now(),
      kind: 'health',
      reason: '3 health checks in a row failed',
      failures: [],
    });
    const config = join(work, 'q.config.yaml');
    writeFileSync(config, `adb:\n  port: ${adbPort}\ncapturesRoot: ${captures}\nstateDir: ${state}\n`);
    const run = (args: string[]) =>
      runProcess(process.execPath, ['--import', 'tsx', CLI, '-c', config, ...args], { timeoutMs: 60_000, cwd: PACKAGE_ROOT, okCodes: [0, 2] });
    const first = await run(['devices', '--unquarantine', 'R58M123']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/R58M123 released from quarantine \(was: 3 health checks/);
    expect(new QuarantineStore(quarantineFileIn(state)).list()).toEqual([]);
    const again = await run(['devices', '--unquarantine', 'R58M123']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/R58M123 is not quarantined/);
  });
});

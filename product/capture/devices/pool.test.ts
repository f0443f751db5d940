import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceQuarantinedError, LeaseLostError, NoDeviceAvailableError } from './errors.js';
import { FakeDeviceProvider, FakeHandset } from './test-support/fake-device.js';
import { DeviceJournal, journalFileIn, readJournalFile } from './journal.js';
import { LeaseClaims } from './lease-claims.js';
import { DevicePool, type DevicePoolOptions } from './pool.js';
import { DeviceProfileSchema } from './profile-schema.js';
import type { LoadedProfile } from './profiles.js';
import { QuarantineStore } from './quarantine.js';

const profiles: LoadedProfile[] = [
  { file: 'pixel.yaml', profile: DeviceProfileSchema.parse({ id: 'pixel', match: { model: 'Pixel.*' } }) },
  { file: 'virtual.yaml', profile: DeviceProfileSchema.parse({ id: 'virtual', match: { model: 'Consentry Virtual' } }) },
];

let dir: string;
let provider: FakeDeviceProvider;
let pools: DevicePool[];

async function openPool(overrides: Partial<DevicePoolOptions> = {}): Promise<DevicePool> {
  const pool = await DevicePool.open({
    provider,
    profiles,
    quarantine: new QuarantineStore(join(dir, 'quarantine.json')),
    claims: new LeaseClaims(join(dir, 'leases')),
    maxConsecutiveFailures: 3,
    heartbeatTimeoutMs: 30_000,
    maxLeaseMs: 600_000,
    ...overrides,
  });
  pools.push(pool);
  return pool;
}

/** Lets a lease() call that polls run while fake time advances. */
async function settle<T>(promise: Promise<T>, advanceMs: number): Promise<T> {
  const guarded = promise.then(
    (v) => ({ v }),
    (e: unknown) => ({ e }),
  );
  await vi.advanceTimersByTimeAsync(advanceMs);
  const r = await guarded;
  if ('e' in r) throw r.e;
  return r.v;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  dir = mkdtempSync(join(tmpdir(), 'consentry-pool-'));
  provider = new FakeDeviceProvider();
  pools = [];
});

afterEach(async () => {
  for (const p of pools) await p.close();
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('DevicePool leasing', () => {
  it('leases a healthy device with its profile, facts and clock offset, one holder at a time', async () => {
    provider.add(new FakeHandset({ serial: 'A1', clockSkewMs: -1500 }));
    const pool = await openPool();
    const lease = await settle(pool.lease({ timeoutMs: 1000 }), 0);
    expect(lease.serial).toBe('A1');
    expect(lease.profile.id).toBe('pixel');
    expect(lease.facts.apiLevel).toBe(34);
    // host - device: the device runs 1.5 s behind.
    expect(lease.clockOffsetMs).toBeGreaterThanOrEqual(1400);
    expect(Object.isFrozen(lease)).toBe(true);

    await expect(settle(pool.lease({ timeoutMs: 2000 }), 3000)).rejects.toBeInstanceOf(NoDeviceAvailableError);
    await lease.release({ ok: true });
    const again = await settle(pool.lease({ timeoutMs: 1000 }), 0);
    expect(again.serial).toBe('A1');
    expect(again.id).not.toBe(lease.id);
  });

  it('wakes a waiting lease() when a device is released', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const pool = await openPool();
    const first = await settle(pool.lease(), 0);
    const waiting = pool.lease({ timeoutMs: 10_000 });
    await vi.advanceTimersByTimeAsync(2000);
    await first.release({ ok: true });
    const second = await settle(waiting, 100);
    expect(second.serial).toBe('A1');
  });

  it('chooses by serial and by profile', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    provider.add(new FakeHandset({ serial: 'V1', props: { 'ro.product.model': 'Consentry Virtual' } }));
    const pool = await openPool();
    const v = await settle(pool.lease({ profile: 'virtual', timeoutMs: 1000 }), 0);
    expect(v.serial).toBe('V1');
    const a = await settle(pool.lease({ serial: 'A1', timeoutMs: 1000 }), 0);
    expect(a.profile.id).toBe('pixel');
    await expect(pool.lease({ profile: 'nope' })).rejects.toThrow(/no device profile has id "nope"/);
  });

  it('expires a lease whose holder stops heartbeating, and frees the device', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const pool = await openPool({ heartbeatTimeoutMs: 10_000 });
    const lease = await settle(pool.lease(), 0);
    await vi.advanceTimersByTimeAsync(8000);
    lease.heartbeat();
    await vi.advanceTimersByTimeAsync(8000);
    expect(lease.isActive()).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(lease.isActive()).toBe(false);
    await expect(lease.lost).resolves.toMatchObject({ reason: 'expired' });
    expect(lease.signal.aborted).toBe(true);
    expect(() => lease.heartbeat()).toThrow(LeaseLostError);
    const next = await settle(pool.lease({ timeoutMs: 1000 }), 0);
    expect(next.serial).toBe('A1');
  });

  it('caps a lease at maxLeaseMs even with heartbeats', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const pool = await openPool({ heartbeatTimeoutMs: 10_000, maxLeaseMs: 25_000 });
    const lease = await settle(pool.lease(), 0);
    for (let i = 0; i < 3; i += 1) {
      await vi.advanceTimersByTimeAsync(9000);
      if (lease.isActive()) lease.heartbeat();
    }
    await expect(lease.lost).resolves.toMatchObject({ reason: 'timeout' });
  });

  it('marks the lease lost and the device offline when it disappears mid-lease', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const pool = await openPool();
    const lease = await settle(pool.lease(), 0);
    const lostEvent = new Promise((r) => pool.once('lease-lost', (_l, end) => r(end.reason)));
    provider.remove('A1');
    await vi.advanceTimersByTimeAsync(4000);
    expect(lease.isActive()).toBe(true); // still within the offline grace
    await vi.advanceTimersByTimeAsync(1500);
    await expect(lease.lost).resolves.toMatchObject({ reason: 'device-removed' });
    await expect(lostEvent).resolves.toBe('device-removed');
    expect(pool.snapshot()[0]).toMatchObject({ serial: 'A1', state: 'offline' });
    await lease.release({ ok: false }); // no-op after loss, must not throw
    await expect(settle(pool.lease({ timeoutMs: 1500 }), 2000)).rejects.toThrow(/A1 disconnected/);
  });

  it('ends the lease when adb reports the device offline', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const pool = await openPool();
    const lease = await settle(pool.lease(), 0);
    provider.setState('A1', 'offline');
    await vi.advanceTimersByTimeAsync(5001);
    await expect(lease.lost).resolves.toMatchObject({ reason: 'device-offline' });
  });

  it('keeps the lease through a short blip (adb root restarts adbd)', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const pool = await openPool({ offlineGraceMs: 3000 });
    const lease = await settle(pool.lease(), 0);
    provider.remove('A1');
    await vi.advanceTimersByTimeAsync(1000);
    provider.setState('A1', 'device');
    await vi.advanceTimersByTimeAsync(10_000);
    lease.heartbeat();
    expect(lease.isActive()).toBe(true);
  });
});

describe('DevicePool quarantine', () => {
  it('quarantines a device after N failed health checks and persists it', async () => {
    provider.add(new FakeHandset({ serial: 'A1', freeKb: 10 }));
    const pool = await openPool({ maxConsecutiveFailures: 2 });
    const quarantined = new Promise((r) => pool.once('quarantined', r));
    await expect(settle(pool.lease({ timeoutMs: 1500 }), 2000)).rejects.toThrow(/storage/);
    await quarantined;
    const store = new QuarantineStore(join(dir, 'quarantine.json'));
    expect(store.get('A1')).toMatchObject({ kind: 'health' });
    expect(store.get('A1')?.reason).toMatch(/2 health checks in a row failed/);
    await expect(pool.lease({ serial: 'A1' })).rejects.toBeInstanceOf(DeviceQuarantinedError);
    expect(pool.snapshot()[0]?.quarantine?.reason).toMatch(/health checks/);

    // A person fixes the phone and releases it; the pool re-reads the file.
    (provider.handsets.get('A1')!).spec.freeKb = 8_000_000;
    store.release('A1');
    const lease = await settle(pool.lease({ serial: 'A1', timeoutMs: 1000 }), 0);
    expect(lease.serial).toBe('A1');
  });

  it('quarantines after N failed runs in a row; a success resets the count', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const pool = await openPool({ maxConsecutiveFailures: 2 });
    const run = async (ok: boolean) => (await settle(pool.lease({ timeoutMs: 1000 }), 0)).release({ ok });
    await run(false);
    await run(true);
    await run(false);
    expect(new QuarantineStore(join(dir, 'quarantine.json')).get('A1')).toBeUndefined();
    await run(false);
    expect(new QuarantineStore(join(dir, 'quarantine.json')).get('A1')).toMatchObject({ kind: 'runs' });
  });

  it('counts failed runs across processes: three runs, each with its own pool, quarantine the device', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    // Each `consentry run` is its own process with its own pool; only the state folder is shared.
    const oneRun = async (ok: boolean, interrupted = false) => {
      const pool = await openPool({ maxConsecutiveFailures: 3 });
      const lease = await settle(pool.lease({ timeoutMs: 1000 }), 0);
      await lease.release({ ok, ...(interrupted ? { interrupted } : {}) });
      await pool.close();
    };
    const store = () => new QuarantineStore(join(dir, 'quarantine.json'));
    await oneRun(false);
    await oneRun(false);
    // Ctrl-C on a run says nothing about the device: neither counted nor a reset.
    await oneRun(false, true);
    expect(store().failures('A1', 'runs')).toHaveLength(2);
    expect(store().get('A1')).toBeUndefined();
    await oneRun(false);
    expect(store().get('A1')).toMatchObject({ kind: 'runs', reason: expect.stringMatching(/3 runs in a row failed/) });
    expect(store().failures('A1', 'runs')).toEqual([]);
    const next = await openPool({ maxConsecutiveFailures: 3 });
    await expect(next.lease({ serial: 'A1' })).rejects.toBeInstanceOf(DeviceQuarantinedError);
  });

  it('a success in another process ends the streak', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const oneRun = async (ok: boolean) => {
      const pool = await openPool({ maxConsecutiveFailures: 2 });
      await (await settle(pool.lease({ timeoutMs: 1000 }), 0)).release({ ok });
      await pool.close();
    };
    await oneRun(false);
    await oneRun(true);
    await oneRun(false);
    expect(new QuarantineStore(join(dir, 'quarantine.json')).get('A1')).toBeUndefined();
  });

  it('keeps the undo journal on disk: a run that dies leaves the device dirty, the next lease replays it first', async () => {
    const handset = new FakeHandset({ serial: 'A1' });
    provider.add(handset);
    const journalsDir = join(dir, 'journals');
    // First process: leases, changes the proxy, and dies before its teardown (no release).
    const first = await openPool({ journalsDir });
    const lease = await settle(first.lease({ timeoutMs: 1000 }), 0);
    const journal = new DeviceJournal(lease.serial);
    journal.record('proxy', 'global http_proxy 127.0.0.1:8080', [{ kind: 'shell', command: 'settings put global http_proxy :0', asRoot: false }]);
    journal.record('frida', 'started frida-server', [{ kind: 'shell', command: 'kill 4242', asRoot: true }]);
    const file = journalFileIn(journalsDir, 'A1');
    expect(readJournalFile(file)?.entries.map((e) => e.status)).toEqual(['done', 'done']);
    // `consentry devices` in another process sees the device dirty.
    const viewer = await openPool({ journalsDir, claims: new LeaseClaims(join(dir, 'other-leases')) });
    expect(viewer.snapshot().find((d) => d.serial === 'A1')?.dirty).toEqual({ pendingSteps: 2, journal: file });

    // The dead process's claim is stale (it expired); the next lease replays newest first.
    await first.close();
    handset.commands.length = 0;
    const next = await openPool({ journalsDir });
    const again = await settle(next.lease({ timeoutMs: 1000 }), 0);
    expect(handset.commands).toEqual(expect.arrayContaining(['kill 4242', 'settings put global http_proxy :0']));
    expect(handset.commands.indexOf('kill 4242')).toBeLessThan(handset.commands.indexOf('settings put global http_proxy :0'));
    expect(existsSync(file)).toBe(false);
    expect(next.snapshot().find((d) => d.serial === 'A1')?.dirty).toBeUndefined();
    // A clean teardown removes the file too: nothing left to undo, nothing to replay.
    const clean = new DeviceJournal(again.serial);
    const entry = clean.record('proxy', 'set', [{ kind: 'shell', command: 'settings put global http_proxy :0', asRoot: false }]);
    expect(existsSync(file)).toBe(true);
    entry.status = 'undone';
    expect(existsSync(file)).toBe(false);
  });

  it('devices --reset replays a dirty device by hand', async () => {
    const handset = new FakeHandset({ serial: 'A1' });
    provider.add(handset);
    const journalsDir = join(dir, 'journals');
    const file = journalFileIn(journalsDir, 'A1');
    new DeviceJournal('A1', file).record('proxy', 'set', [{ kind: 'shell', command: 'settings put global http_proxy :0', asRoot: false }]);
    const pool = await openPool({ journalsDir });
    const result = await settle(pool.reset('A1'), 0);
    expect(result).toEqual({ undone: 1, failed: [], pendingSteps: 0 });
    expect(handset.commands).toContain('settings put global http_proxy :0');
  });

  it('does not lease a device whose shell hangs, and says why', async () => {
    provider.add(new FakeHandset({ serial: 'H1', hung: true }));
    const pool = await openPool();
    await expect(settle(pool.lease({ timeoutMs: 500 }), 15_000)).rejects.toThrow(/H1 unhealthy: shell/);
  });

  it('shows the state hint for an unauthorized phone and never leases it', async () => {
    provider.add(new FakeHandset({ serial: 'U1' }), 'unauthorized');
    const pool = await openPool();
    expect(pool.snapshot()[0]?.hint).toMatch(/RSA key/);
    await expect(settle(pool.lease({ timeoutMs: 500 }), 1000)).rejects.toThrow(/U1 unauthorized/);
  });
});

describe('cross-process claims', () => {
  it('a second pool sharing the claims folder cannot lease a device the first holds', async () => {
    provider.add(new FakeHandset({ serial: 'A1' }));
    const first = await openPool();
    const lease = await settle(first.lease({ holder: 'com.example.app' }), 0);
    const second = await openPool();
    await expect(settle(second.lease({ timeoutMs: 1500 }), 2000)).rejects.toThrow(/leased/);
    expect(second.snapshot()[0]?.lease?.holder).toBe('com.example.app');
    await lease.release({ ok: true });
    const taken = await settle(second.lease({ timeoutMs: 1500 }), 1100);
    expect(taken.serial).toBe('A1');
  });
});

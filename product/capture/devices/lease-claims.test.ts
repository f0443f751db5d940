import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseClaims, type LeaseClaim } from './lease-claims.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'consentry-claims-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const claim = (over: Partial<LeaseClaim> = {}): LeaseClaim => ({
  serial: '192.168.1.5:5555',
  leaseId: 'L1',
  pid: process.pid,
  host: hostname(),
  acquiredAt: Date.now(),
  expiresAt: Date.now() + 60_000,
  ...over,
});

describe('LeaseClaims (one holder per device across processes)', () => {
  it('refuses a second claim while the first holder is alive and heartbeating', () => {
    const claims = new LeaseClaims(dir);
    expect(claims.tryClaim(claim())).toBe(true);
    expect(new LeaseClaims(dir).tryClaim(claim({ leaseId: 'L2' }))).toBe(false);
    expect(claims.live().map((c) => c.leaseId)).toEqual(['L1']);
    claims.drop('192.168.1.5:5555', 'L1');
    expect(claims.tryClaim(claim({ leaseId: 'L2' }))).toBe(true);
  });

  it('takes over the claim of a holder that crashed (its pid is gone)', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const claims = new LeaseClaims(dir);
    expect(claims.tryClaim(claim({ pid: dead }))).toBe(true);
    expect(claims.live()).toEqual([]);
    expect(claims.tryClaim(claim({ leaseId: 'L2' }))).toBe(true);
    expect(claims.read('192.168.1.5:5555')?.leaseId).toBe('L2');
  });

  it('takes over a claim that stopped heartbeating, and a renewal keeps it alive', () => {
    const claims = new LeaseClaims(dir);
    expect(claims.tryClaim(claim({ expiresAt: Date.now() - 1 }))).toBe(true);
    expect(claims.tryClaim(claim({ leaseId: 'L2', expiresAt: Date.now() + 10 }))).toBe(true);
    claims.renew('192.168.1.5:5555', 'L2', Date.now() + 60_000);
    expect(claims.tryClaim(claim({ leaseId: 'L3' }))).toBe(false);
    // Only the holder's own lease id renews or drops it.
    claims.drop('192.168.1.5:5555', 'L3');
    expect(claims.read('192.168.1.5:5555')?.leaseId).toBe('L2');
  });
});

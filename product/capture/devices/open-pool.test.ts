import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { leaseClaimsDirIn } from './lease-claims.js';
import { deviceQuarantine } from './open-pool.js';
import { legacyQuarantineFileIn } from './quarantine.js';

const roots: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'consentry-open-pool-'));
  roots.push(d);
  return d;
};
afterEach(() => roots.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('device state in stateDir', () => {
  it('keeps quarantine and lease claims in stateDir, so a capture root that cannot be written does not matter', () => {
    const stateDir = temp();
    // A capture root that is a file: nothing can be created under it (as on a full disk).
    const capturesRoot = join(temp(), 'captures');
    writeFileSync(capturesRoot, '');
    const store = deviceQuarantine({ stateDir, capturesRoot });
    store.recordFailure('A1', 'runs', 'failed');
    expect(dirname(store.file).startsWith(stateDir)).toBe(true);
    expect(leaseClaimsDirIn(stateDir).startsWith(stateDir)).toBe(true);
    expect(store.failures('A1', 'runs')).toEqual(['failed']);
  });

  it('carries devices quarantined under the old captures-root location over, once', () => {
    const stateDir = temp();
    const capturesRoot = temp();
    const legacy = legacyQuarantineFileIn(capturesRoot);
    mkdirSync(dirname(legacy), { recursive: true });
    writeFileSync(legacy, JSON.stringify({ version: 1, devices: { OLD: { serial: 'OLD', since: 1, kind: 'manual', reason: 'cracked screen', failures: [] } } }));
    expect(deviceQuarantine({ stateDir, capturesRoot }).get('OLD')?.reason).toBe('cracked screen');
    // Released in the new place: the old file does not bring it back.
    deviceQuarantine({ stateDir, capturesRoot }).release('OLD');
    expect(deviceQuarantine({ stateDir, capturesRoot }).get('OLD')).toBeUndefined();
  });
});

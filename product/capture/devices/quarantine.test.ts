import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QuarantineStore, quarantineFileIn } from './quarantine.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'consentry-q-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('QuarantineStore', () => {
  it('persists entries across instances (other processes) and releases them', () => {
    const file = quarantineFileIn(root);
    new QuarantineStore(file).add({ serial: '10.0.0.5:5555', since: 1, kind: 'runs', reason: '3 runs in a row failed', failures: ['a', 'b', 'c'] });
    const other = new QuarantineStore(file);
    expect(other.list().map((e) => e.serial)).toEqual(['10.0.0.5:5555']);
    expect(other.release('10.0.0.5:5555')?.reason).toBe('3 runs in a row failed');
    expect(new QuarantineStore(file).list()).toEqual([]);
    expect(other.release('nope')).toBeUndefined();
  });

  it('lives in the state folder, not under the captures root, and keeps failure streaks per device', () => {
    const file = quarantineFileIn(root);
    expect(file).toBe(join(root, 'devices', 'quarantine.json'));
    const store = new QuarantineStore(file);
    expect(store.recordFailure('A', 'runs', 'r1')).toEqual(['r1']);
    expect(new QuarantineStore(file).recordFailure('A', 'runs', 'r2')).toEqual(['r1', 'r2']);
    new QuarantineStore(file).recordFailure('A', 'health', 'h1');
    new QuarantineStore(file).resetFailures('A', 'runs');
    expect(store.failures('A', 'runs')).toEqual([]);
    expect(store.failures('A', 'health')).toEqual(['h1']);
  });

  it('reads a quarantine file written before streaks existed', () => {
    const file = quarantineFileIn(root);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"version": 1, "devices": {"X": {"serial": "X", "since": 5, "kind": "runs", "reason": "r", "failures": []}}}');
    expect(new QuarantineStore(file).get('X')?.since).toBe(5);
    expect(new QuarantineStore(file).failures('X', 'runs')).toEqual([]);
  });

  it('names the file and field when the file was edited by hand into something invalid', () => {
    const file = quarantineFileIn(root);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"version": 1, "devices": {"X": {"serial": "X", "since": "yesterday", "kind": "runs", "reason": "r"}}}');
    expect(() => new QuarantineStore(file).list()).toThrow(/quarantine\.json:1, field "devices\.X\.since"/);
  });
});

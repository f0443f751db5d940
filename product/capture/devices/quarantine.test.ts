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

  it('names the file and field when the file was edited by hand into something invalid', () => {
    const file = quarantineFileIn(root);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"version": 1, "devices": {"X": {"serial": "X", "since": "yesterday", "kind": "runs", "reason": "r"}}}');
    expect(() => new QuarantineStore(file).list()).toThrow(/quarantine\.json:1, field "devices\.X\.since"/);
  });
});

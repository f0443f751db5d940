import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleOf, summariseCpuProfile } from './cpu-profile.js';

const dir = mkdtempSync(join(tmpdir(), 'cpu-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0, scriptId: '1' });

describe('summarising a V8 CPU profile', () => {
  it('names npm packages and project files as modules', () => {
    expect(moduleOf('file:///p/node_modules/zod/v4/core/schemas.js', '/p')).toBe('zod');
    expect(moduleOf('file:///p/node_modules/@scope/pkg/x.js', '/p')).toBe('@scope/pkg');
    expect(moduleOf('file:///p/product/evidence/bundle/writer.ts', '/p')).toBe('product/evidence/bundle/writer.ts');
    expect(moduleOf('', '/p')).toBe('(native/V8)');
  });

  it('splits time into self and inclusive time, counting a recursive function once per sample', () => {
    // root → record → parse → parse (recursion); root → record → stringify
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2] },
        { id: 2, callFrame: frame('record', 'file:///p/harness/rec.ts'), children: [3, 5] },
        { id: 3, callFrame: frame('parse', 'file:///p/node_modules/zod/a.js'), children: [4] },
        { id: 4, callFrame: frame('parse', 'file:///p/node_modules/zod/a.js'), children: [] },
        { id: 5, callFrame: frame('stringify', ''), children: [] },
      ],
      samples: [4, 4, 4, 5, 2],
      timeDeltas: [1000, 1000, 1000, 1000, 1000],
      startTime: 0,
      endTime: 5000,
    };
    const file = join(dir, 'p.cpuprofile');
    writeFileSync(file, JSON.stringify(profile));
    const s = summariseCpuProfile(file, '/p');
    expect(s.totalMs).toBe(5);
    expect(s.selfByModule[0]).toMatchObject({ name: 'zod', ms: 3, share: 0.6 });
    const incl = Object.fromEntries(s.inclusiveByFunction.map((e) => [e.name.split(' ')[0], e.ms]));
    expect(incl).toMatchObject({ record: 5, parse: 3, stringify: 1 });
  });
});

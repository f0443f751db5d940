import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverBenchFiles, selectBenchFiles, splitArgs, UnknownBenchError } from './bench-files.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
for (const f of ['event-ingestion.bench.ts', 'apk-static.bench.ts', 'traffic-detect.ts', 'traffic-proxy.ts', 'run.ts', 'helpers.ts', 'x.bench.test.ts', 'README.md']) {
  writeFileSync(join(dir, f), '');
}

describe('which benchmarks `npm run bench` runs', () => {
  it('finds *.bench.ts and the traffic scripts, not the runner, helpers or tests', () => {
    expect(discoverBenchFiles(dir).map((b) => b.name)).toEqual(['apk-static', 'event-ingestion', 'traffic-detect', 'traffic-proxy']);
  });

  it('runs all of them without names, exactly the named ones otherwise', () => {
    const all = discoverBenchFiles(dir);
    expect(selectBenchFiles(all, [])).toHaveLength(4);
    expect(selectBenchFiles(all, ['traffic-detect', 'event-ingestion']).map((b) => b.name)).toEqual(['traffic-detect', 'event-ingestion']);
  });

  it('names the unknown benchmark and lists the available ones', () => {
    const all = discoverBenchFiles(dir);
    expect(() => selectBenchFiles(all, ['event-ingest'])).toThrow(UnknownBenchError);
    expect(() => selectBenchFiles(all, ['event-ingest'])).toThrow(/event-ingest \(available: apk-static, event-ingestion, traffic-detect, traffic-proxy\)/);
  });

  it('takes names up to the first flag and forwards the rest, values included', () => {
    expect(splitArgs(['event-ingestion', '--quick'])).toEqual({ names: ['event-ingestion'], forwarded: ['--quick'] });
    expect(splitArgs(['traffic-detect', '--mb', '200'])).toEqual({ names: ['traffic-detect'], forwarded: ['--mb', '200'] });
    expect(splitArgs([])).toEqual({ names: [], forwarded: [] });
  });
});

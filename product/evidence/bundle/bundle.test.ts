import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, runMeta, T0, writeTestBundle } from './test-support/factories.js';
import { BundleDamagedError, readBundle } from './reader.js';
import { BundleWriter } from './writer.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const temp = tempDirs('bundle');
const root = () => temp.make();

describe('bundle writer and reader', () => {
  it('round-trips markers, events, flows and bodies', async () => {
    const dir = root();
    const writer = BundleWriter.create(dir, { ...runMeta({ runId: 'rt' }), outcome: 'running' });
    const sha = writer.storeBody(Buffer.from('{"imei":"860000000000001"}'));
    writer.addMarker(marker('consent.accepted', T0 + 5000));
    writer.addEvent(hookEvent('android-id', T0 + 1000, { ret: '9774d56d682e549c' }));
    writer.addFlow(flow('https://alog.umeng.com/app_logs', T0 + 1200, {
      request: { method: 'POST', url: 'https://alog.umeng.com/app_logs', headers: [], body: { size: 26, sha256: sha } },
    }));
    writer.storeBody(Buffer.from('{"imei":"860000000000001"}'));
    await writer.finish('complete');
    const bundle = await readBundle(writer.dir);
    expect(bundle.run.outcome).toBe('complete');
    expect(bundle.incomplete).toBe(false);
    expect(bundle.markers.map((m) => m.kind)).toEqual(['consent.accepted']);
    expect(bundle.events[0]?.ret).toBe('9774d56d682e549c');
    expect(bundle.flows[0]?.request?.body.sha256).toBe(sha);
    // The same body twice is stored once, under its content address.
    expect(readdirSync(join(writer.dir, 'bodies', sha.slice(0, 2)))).toEqual([sha]);
  });

  it('a writer that dies mid-line leaves a readable bundle marked incomplete', async () => {
    const dir = root();
    const writer = BundleWriter.create(dir, { ...runMeta({ runId: 'crash' }), outcome: 'running' });
    writer.addEvent(hookEvent('location', T0 + 10));
    // Simulate the process dying: flush what was written, then a half line, never finish().
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(join(writer.dir, 'events.jsonl'), '{"id":"e2","t":17500000');
    const bundle = await readBundle(writer.dir);
    expect(bundle.incomplete).toBe(true);
    expect(bundle.run.outcome).toBe('running');
    expect(bundle.events).toHaveLength(1);
    expect(bundle.problems).toEqual([
      expect.objectContaining({ file: 'events.jsonl', line: 2, severity: 'truncation' }),
    ]);
  });

  it('names file, line and field of a damaged record', async () => {
    const dir = await writeTestBundle(root(), {
      events: [hookEvent('android-id', T0 + 1), hookEvent('location', T0 + 2)],
    });
    const file = join(dir, 'events.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const bad = JSON.parse(lines[1]!);
    bad.dataType = 'horoscope';
    lines[1] = JSON.stringify(bad);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const err = await readBundle(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BundleDamagedError);
    expect((err as Error).message).toMatch(/events\.jsonl:2 field "dataType"/);
    const lenient = await readBundle(dir, { strict: false });
    expect(lenient.events).toHaveLength(1);
  });

  it('reports a missing body as damage', async () => {
    const dir = await writeTestBundle(root(), {
      flows: [flow('http://x.example/a', T0, { request: { method: 'POST', url: 'http://x.example/a', headers: [], body: { size: 3, sha256: 'a'.repeat(64) } } })],
    });
    await expect(readBundle(dir)).rejects.toThrow(/body bodies\/aa\/a+ is missing/);
  });

  it('rejects a run.json with the wrong schema version, naming the field', async () => {
    const dir = await writeTestBundle(root());
    const run = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    run.schemaVersion = 99;
    writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
    await expect(readBundle(dir)).rejects.toThrow(/run\.json field "schemaVersion"/);
  });
});

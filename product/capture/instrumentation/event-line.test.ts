import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMeta, T0 } from '../../evidence/bundle/test-support/factories.js';
import { BUNDLE_FILES, HookEvent } from '../../contracts/bundle-schema.js';
import { BundleWriter } from '../../evidence/bundle/writer.js';
import { loadSdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { silentLogger } from '../../core/logger.js';
import { AgentEventRecorder, type EvidenceSink } from './event-recorder.js';

/**
 * The fast line (BundleWriter.appendTrustedLine with text and bytes the recorder caches per
 * stack) against the slow one (appendTrusted: JSON.stringify({ ...event, id })): the same agent
 * messages through both must give byte-identical events.jsonl files, so readers, analysis and
 * older versions cannot tell which path wrote a bundle.
 */

const dir = mkdtempSync(join(tmpdir(), 'consentry-event-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PKG = 'com.example.app';
const STACK = ['android.provider.Settings$Secure.getString(Native Method)', 'com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidId(DeviceConfig.java:214)', `${PKG}.App.onCreate(App.kt:9)`];
const ODD = ['a "quoted" \\ frame\twith\ncontrol \u0001 chars', 'lone \ud800 surrogate', '日本語.方法(文件.java:1)', '😀.m(E.java:2)', ''];

const FULL = {
  dataType: 'permission-request',
  api: 'android.app.Activity.requestPermissions',
  overload: '([Ljava.lang.String;,int)',
  args: ['[android.permission.CAMERA]', '7', 'with "quotes" and \\ and </script>'],
  ret: 'r',
  outcome: { kind: 'threw', error: 'java.lang.SecurityException: "no"' },
  tWall: T0 + 0.5,
  monotonicNs: '123456789012345678901',
  thread: 'main "ui"',
  permissions: ['android.permission.CAMERA'],
  sampled: { count: 3, windowMs: 1000 },
  lifecycle: { state: 'foreground', component: `${PKG}.MainActivity` },
  unknownKey: 'dropped',
};
const MINIMAL = { dataType: 'lifecycle', api: 'a', args: [], outcome: { kind: 'returned' }, tWall: 0 };

/** Messages as a channel gets them: definitions, references, inline stacks, a hostile mix. */
function messages() {
  return [
    { stacks: [{ id: 0, frames: STACK }, { id: 1, frames: ODD }, { id: 2, frames: [] }], events: [{ ...FULL, stackId: 0 }, { ...MINIMAL, stackId: 1 }, { ...MINIMAL, stackId: 2 }], dropped: 0 },
    { events: [{ ...FULL, stackId: 1, sampled: undefined }, { ...FULL, stack: ODD, permissions: undefined }, { ...MINIMAL, stack: STACK, tWall: 1 }, { ...MINIMAL, stackId: 9 }], dropped: 0 },
    { events: [{ ...FULL, overload: undefined, ret: undefined, thread: undefined, monotonicNs: undefined, stackId: 0 }], dropped: 2 },
    // The cached, encoded tails again: the same stacks, the same channel, a later message.
    { events: [{ ...FULL, sampled: undefined, permissions: undefined, stackId: 0 }, { ...MINIMAL, stackId: 1, tWall: 5 }, { ...MINIMAL, stackId: 1, tWall: 6 }], dropped: 0 },
  ];
}

async function write(name: string, process: string, clockOffsetMs: number, slow: boolean): Promise<string> {
  const writer = BundleWriter.create(dir, runMeta({ runId: name, device: { serial: 's', profile: 'p', clockOffsetMs } }));
  // The slow path: a sink with no appendTrustedLine, as before this change.
  const sink: EvidenceSink = slow
    ? { get run() { return writer.run; }, addEvent: (e) => writer.addEvent(e), appendTrusted: (s, e) => writer.appendTrusted(s, e), addMarker: (m) => writer.addMarker(m), updateRun: (p) => writer.updateRun(p) }
    : writer;
  const recorder = new AgentEventRecorder({ sink, packageName: PKG, sdks: loadSdkCatalogue(), logger: silentLogger() });
  const channel = recorder.openChannel(4242, process);
  for (const m of messages()) channel.receive(m);
  await writer.finish('complete');
  return readFileSync(join(writer.dir, BUNDLE_FILES.events), 'utf8');
}

describe('the fast event line', () => {
  it.each([
    ['a plain process name', PKG, 0],
    ['a process name with quotes and one past 300 characters', `${PKG}:"push"${'p'.repeat(300)}`, -250.5],
  ])('is byte for byte the line appendTrusted writes (%s)', async (label, process, offset) => {
    const name = label.replace(/\W+/g, '-');
    const fast = await write(`fast-${name}`, process, offset, false);
    const slow = await write(`slow-${name}`, process, offset, true);
    const lines = fast.trimEnd().split('\n');
    // Every valid event of the three messages (one names an undefined stack and is skipped).
    expect(lines).toHaveLength(10);
    expect(fast).toBe(slow);
    for (const [i, line] of lines.entries()) {
      const event = HookEvent.parse(JSON.parse(line));
      expect(event.id).toBe(`e${i + 1}`);
      expect(Object.keys(JSON.parse(line) as object).at(-1)).toBe('id');
    }
    const parsed = lines.map((l) => HookEvent.parse(JSON.parse(l)));
    expect(parsed.map((e) => e.stack)).toEqual([STACK, ODD, [], ODD, ODD, STACK, STACK, STACK, ODD, ODD]);
    expect(parsed[0]).toMatchObject({ sampled: { count: 3, windowMs: 1000 }, permissions: ['android.permission.CAMERA'], attribution: { party: 'sdk' } });
    expect(parsed[0]).not.toHaveProperty('unknownKey');
  });
});

describe('BundleWriter.appendTrustedLine', () => {
  const lineOf = (id: string, body: string) => `{"x":${JSON.stringify(body)},"id":"${id}"}`;

  it('keeps the order of every append to the stream, and hands over gathered lines at finish', async () => {
    const writer = BundleWriter.create(dir, runMeta({ runId: 'order' }));
    writer.appendTrustedLine('events', {}, '{"x":"a"', '');
    writer.appendTrusted('events', { x: 'b' });
    writer.appendTrustedLine('events', {}, '{"x":', Buffer.from('"c"'));
    writer.appendTrustedLine('events', {}, '{"x":"d"', '');
    await writer.finish('complete');
    const text = readFileSync(join(writer.dir, BUNDLE_FILES.events), 'utf8');
    expect(text).toBe(`${[lineOf('e1', 'a'), lineOf('e2', 'b'), lineOf('e3', 'c'), lineOf('e4', 'd')].join('\n')}\n`);
    expect(writer.counts.events).toBe(4);
  });

  it('writes lines longer than its buffer, and many lines across buffers, whole', async () => {
    const writer = BundleWriter.create(dir, runMeta({ runId: 'long' }));
    const long = '日'.repeat(300_000);
    writer.appendTrustedLine('events', {}, `{"x":${JSON.stringify(long)}`, '');
    for (let i = 0; i < 2000; i += 1) writer.appendTrustedLine('events', {}, '{"x":', Buffer.from(JSON.stringify(`${i}`.repeat(100))));
    await writer.finish('complete');
    const lines = readFileSync(join(writer.dir, BUNDLE_FILES.events), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2001);
    expect(JSON.parse(lines[0]!)).toEqual({ x: long, id: 'e1' });
    expect(lines.slice(1).map((l) => JSON.parse(l) as unknown)).toEqual(Array.from({ length: 2000 }, (_, i) => ({ x: `${i}`.repeat(100), id: `e${i + 2}` })));
  });

  it('refuses a record that brings its own id, and any append after finish', async () => {
    const writer = BundleWriter.create(dir, runMeta({ runId: 'refuse' }));
    expect(() => writer.appendTrustedLine('events', { id: 'x' }, '{', '')).toThrow(expect.objectContaining({ code: 'BUNDLE_TRUSTED_ID' }));
    await writer.finish('complete');
    expect(() => writer.appendTrustedLine('events', {}, '{', '')).toThrow(expect.objectContaining({ code: 'BUNDLE_CLOSED' }));
  });
});

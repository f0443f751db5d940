import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { StackInterner } from '../../../tooling/agents/src/lib/stack-interner.js';
import type { AgentEvent as AgentSideEvent } from '../../contracts/agent-protocol.js';
import { runMeta, T0 } from '../../evidence/bundle/test-support/factories.js';
import { HookEvent, type RunMeta } from '../../contracts/bundle-schema.js';
import { loadSdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { AgentMessage } from '../../contracts/agent-messages.js';
import { attribute } from './stack-attribution.js';
import { AgentEventRecorder, type EvidenceSink } from './event-recorder.js';
import { StackTable } from './stack-table.js';

/**
 * Stack interning end to end in memory: the agent's real interner makes the messages, they cross
 * as JSON text (as Frida delivers them), the envelope is checked with the host's schema, and the
 * recorder's channel writes HookEvents. Every event must come out with its full stack.
 */

const PKG = 'com.example.app';
const sdks = loadSdkCatalogue();
const UMENG = ['android.provider.Settings$Secure.getString(Native Method)', 'com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidId(DeviceConfig.java:214)', 'android.os.Looper.loop(Looper.java:288)'];
const APP = ['android.telephony.TelephonyManager.getImei(Native Method)', `${PKG}.data.Fingerprint.compute(Fingerprint.kt:42)`, 'android.os.Looper.loop(Looper.java:288)'];

function agentEvent(stack: string[], i = 0): AgentSideEvent {
  return { dataType: 'android-id', api: 'android.provider.Settings$Secure.getString', args: ['resolver', 'android_id'], ret: `id${i}`, outcome: { kind: 'returned' }, tWall: T0 + i, thread: 'main', stack };
}

function harness(limits = { maxStacks: 8, maxChars: 10_000 }) {
  const events: Omit<HookEvent, 'id'>[] = [];
  const warnings: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        warnings.push(String(chunk));
        done();
      },
    }),
  );
  const run: RunMeta = runMeta();
  const sink: EvidenceSink = { run, addEvent: (e) => events.push(e), addMarker: () => undefined, updateRun: () => undefined };
  const recorder = new AgentEventRecorder({ sink, packageName: PKG, sdks, logger, stackLimits: limits });
  const channel = recorder.openChannel(4242, PKG);
  const agent = new StackInterner(limits);
  /** What the agent's send() does with a batch, through JSON text and the host's envelope check. */
  const send = (batch: AgentSideEvent[]) => {
    const wire = agent.intern(batch);
    const text = JSON.stringify({ type: 'events', pid: 4242, events: wire.events, dropped: 0, ...(wire.stacks.length ? { stacks: wire.stacks } : {}) });
    const m = AgentMessage.parse(JSON.parse(text));
    if (m.type !== 'events') throw new Error('not an events message');
    channel.receive(m);
    return m;
  };
  return { events, warnings, recorder, channel, agent, send };
}

const inlineOrId = (e: unknown) => ((e as { stackId?: number }).stackId !== undefined ? 'id' : 'inline');

describe('stack interning on the agent channel', () => {
  it('sends a stack once with its first event and only its id after, and the bundle gets the full stack every time', () => {
    const h = harness();
    const first = h.send([agentEvent(UMENG, 0), agentEvent(UMENG, 1), agentEvent(APP, 2)]);
    expect(first.stacks).toEqual([
      { id: 0, frames: UMENG },
      { id: 1, frames: APP },
    ]);
    expect(first.events.map((e) => (e as { stackId?: number }).stackId)).toEqual([0, 0, 1]);
    expect(first.events.every((e) => (e as { stack?: unknown }).stack === undefined)).toBe(true);

    const second = h.send([agentEvent(APP, 3), agentEvent(UMENG, 4)]);
    expect(second.stacks).toBeUndefined();
    expect(second.events.map((e) => (e as { stackId?: number }).stackId)).toEqual([1, 0]);

    expect(h.events.map((e) => [e.ret, e.stack])).toEqual([
      ['id0', UMENG],
      ['id1', UMENG],
      ['id2', APP],
      ['id3', APP],
      ['id4', UMENG],
    ]);
    expect(h.events.map((e) => e.attribution?.party)).toEqual(['sdk', 'sdk', 'first', 'first', 'sdk']);
    expect(h.events.map((e) => e.attribution)).toEqual(h.events.map((e) => attribute(e.stack, PKG, sdks)));
    expect(h.recorder.problems()).toEqual([]);
  });

  it('carries a sampled summary queued after its stack was defined by reference, and the empty stack of a native hook too', () => {
    const h = harness();
    h.send([agentEvent(UMENG, 0)]);
    const later = h.send([{ ...agentEvent(UMENG, 1), sampled: { count: 40, windowMs: 1000 } }, agentEvent([], 2)]);
    expect(later.stacks).toEqual([{ id: 1, frames: [] }]);
    expect(h.events.map((e) => [e.stack, e.sampled])).toEqual([
      [UMENG, undefined],
      [UMENG, { count: 40, windowMs: 1000 }],
      [[], undefined],
    ]);
  });

  it('skips, counts and warns about an event that names a stack this channel never defined', () => {
    const h = harness();
    const { stack: _s, ...noStack } = agentEvent(UMENG);
    h.channel.receive({ events: [{ ...noStack, stackId: 5 }, agentEvent(APP, 1)], dropped: 0 });
    expect(h.events.map((e) => e.ret)).toEqual(['id1']);
    expect(h.recorder.problems()).toEqual(['1 invalid agent events skipped']);
    expect(h.warnings.join('')).toContain('no stack 5 defined on this channel');
  });

  it('keeps ids to the channel that defined them: another script (a relaunch with the same pid) starts empty', () => {
    const h = harness();
    h.send([agentEvent(UMENG)]);
    const other = h.recorder.openChannel(4242, PKG);
    const { stack: _s, ...noStack } = agentEvent(UMENG, 9);
    other.receive({ events: [{ ...noStack, stackId: 0 }], dropped: 0 });
    expect(h.events).toHaveLength(1);
    expect(h.recorder.problems()).toEqual(['1 invalid agent events skipped']);
  });

  it('sends stacks inline once the agent table is full (by count or by characters), and loses none of them', () => {
    const h = harness({ maxStacks: 2, maxChars: 10_000 });
    const stacks = Array.from({ length: 5 }, (_, i) => [`com.example.app.C${i}.m(C.java:${i})`]);
    const m = h.send(stacks.map((s, i) => agentEvent(s, i)));
    expect(m.stacks).toMatchObject([{ id: 0 }, { id: 1 }]);
    expect(m.events.map((e) => inlineOrId(e))).toEqual(['id', 'id', 'inline', 'inline', 'inline']);
    // A stack already defined still goes by id when the table is full.
    const again = h.send([agentEvent(stacks[0]!, 5), agentEvent(stacks[4]!, 6)]);
    expect(again.events.map((e) => inlineOrId(e))).toEqual(['id', 'inline']);
    expect(h.events.map((e) => e.stack)).toEqual([...stacks, stacks[0], stacks[4]]);

    const byChars = harness({ maxStacks: 100, maxChars: 50 });
    const long = ['x'.repeat(30)];
    const wire = byChars.send([agentEvent(long, 0), agentEvent(['y'.repeat(30)], 1), agentEvent(long, 2)]);
    expect(wire.events.map((e) => inlineOrId(e))).toEqual(['id', 'inline', 'id']);
    expect(byChars.events.map((e) => e.stack[0]![0])).toEqual(['x', 'y', 'x']);
    expect(byChars.recorder.problems()).toEqual([]);
  });

  it('with a table of 0 stacks sends everything inline, as an agent before interning did', () => {
    const h = harness({ maxStacks: 0, maxChars: 0 });
    const m = h.send([agentEvent(UMENG, 0), agentEvent(UMENG, 1)]);
    expect(m.stacks).toBeUndefined();
    expect(h.events.map((e) => e.stack)).toEqual([UMENG, UMENG]);
  });
});

describe('the host stack table against a hostile agent', () => {
  const table = (maxStacks = 4, maxChars = 100) => {
    let attributions = 0;
    const t = new StackTable({ maxStacks, maxChars }, (frames) => {
      attributions += 1;
      return attribute(frames, PKG, sdks);
    });
    return { t, attributions: () => attributions };
  };

  it('validates each definition with the inline bounds (≤ 200 frames of ≤ 1000 characters)', () => {
    const { t } = table(10, 1_000_000);
    expect(t.define({ id: 0, frames: Array.from({ length: 200 }, () => 'f'.repeat(1000)) })).toEqual({ ok: true, id: 0 });
    const refused = [
      { id: 1, frames: Array.from({ length: 201 }, () => 'f') },
      { id: 2, frames: ['f'.repeat(1001)] },
      { id: 3, frames: [42] },
      { id: 4, frames: 'f' },
      { id: -1, frames: [] },
      { id: 1.5, frames: [] },
      { id: '1', frames: [] },
      { frames: [] },
      null,
      'stack',
    ];
    for (const raw of refused) expect(t.define(raw), JSON.stringify(raw)).toMatchObject({ ok: false });
    expect(t.size).toBe(1);
  });

  it('refuses ids beyond its size, a second definition of an id, and stacks past its character budget', () => {
    const { t } = table(4, 100);
    expect(t.define({ id: 4, frames: [] })).toEqual({ ok: false, problem: "stack id 4 beyond the table's 4 stacks" });
    expect(t.define({ id: 2 ** 40, frames: [] })).toMatchObject({ ok: false });
    expect(t.define({ id: 0, frames: ['a'.repeat(60)] })).toEqual({ ok: true, id: 0 });
    expect(t.define({ id: 0, frames: ['b'] })).toEqual({ ok: false, problem: 'stack id 0 defined twice' });
    expect(t.get(0)?.frames).toEqual(['a'.repeat(60)]);
    expect(t.define({ id: 1, frames: ['c'.repeat(41)] })).toMatchObject({ ok: false, problem: expect.stringContaining('100 characters') });
    expect(t.define({ id: 1, frames: ['c'.repeat(40)] })).toEqual({ ok: true, id: 1 });
    expect(t.heldChars).toBe(100);
    expect(t.size).toBe(2);
  });

  it('holds at most its bounds however many distinct stacks an agent sends', () => {
    const { t, attributions } = table(64, 10_000);
    for (let i = 0; i < 100_000; i += 1) t.define({ id: i % 1000, frames: [`com.evil.C.m(C.java:${i})`] });
    expect(t.size).toBeLessThanOrEqual(64);
    expect(t.heldChars).toBeLessThanOrEqual(10_000);
    expect(attributions()).toBe(t.size);
  });

  it('attributes and serialises a stack once, however many events use it', () => {
    const { t, attributions } = table(4, 10_000);
    expect(t.define({ id: 0, frames: UMENG })).toEqual({ ok: true, id: 0 });
    for (let i = 0; i < 100; i += 1) expect(t.get(0)?.attribution.party).toBe('sdk');
    expect(attributions()).toBe(1);
    expect(t.get(0)?.framesJson).toBe(JSON.stringify(UMENG));
    expect(t.get(1)).toBeUndefined();
  });

  it('reports refused definitions in the coverage note and skips the events that use them', () => {
    const h = harness({ maxStacks: 1, maxChars: 1000 });
    const { stack: _s, ...noStack } = agentEvent(UMENG);
    h.channel.receive({ stacks: [{ id: 0, frames: UMENG }, { id: 1, frames: APP }], events: [{ ...noStack, stackId: 0 }, { ...noStack, stackId: 1 }], dropped: 0 });
    expect(h.events.map((e) => e.stack)).toEqual([UMENG]);
    expect(h.recorder.problems()).toEqual(['1 invalid agent events skipped', '1 agent stack definitions refused']);
    expect(h.warnings.join('')).toContain("stack id 1 beyond the table's 1 stacks");
  });
});

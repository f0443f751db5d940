import { describe, expect, it } from 'vitest';
import { loadSdkCatalogue } from '../../../product/evidence/catalogue/sdk-catalogue.js';
import { AgentEvent, AgentMessage, StackDefinition } from '../../../product/contracts/agent-messages.js';
import { attribute } from '../../../product/capture/instrumentation/stack-attribution.js';
import { agentBatches, agentRing, APP_PACKAGE, BATCH_EVENTS } from './agent-batches.js';

type Events = Extract<AgentMessage, { type: 'events' }>;
const parse = (texts: string[]) => texts.map((t) => AgentMessage.parse(JSON.parse(t)) as Events);

/** The events with their stacks resolved from the ring's definitions, as the host sees them. */
function resolve(messages: Events[]): { stack: string[]; inline: boolean }[] {
  const stacks = new Map<number, string[]>();
  const out: { stack: string[]; inline: boolean }[] = [];
  for (const m of messages) {
    for (const d of m.stacks ?? []) {
      const def = StackDefinition.parse(d);
      expect(stacks.has(def.id)).toBe(false);
      stacks.set(def.id, def.frames);
    }
    for (const raw of m.events) {
      const e = AgentEvent.parse(raw);
      const stack = e.stack ?? stacks.get(e.stackId!);
      expect(stack).toBeDefined();
      out.push({ stack: stack!, inline: e.stack !== undefined });
    }
  }
  return out;
}

describe('generated agent traffic for the ingestion benchmark', () => {
  const ring = agentRing(20, 7);
  const first = parse(ring.first);
  const steady = parse(ring.steady);
  const batches = agentBatches(20, 7);

  it('is what the host accepts from a real agent: valid messages of full batches, every event valid', () => {
    expect([...first, ...steady].every((m) => m.type === 'events' && m.events.length === BATCH_EVENTS)).toBe(true);
    expect(resolve(first)).toHaveLength(20 * BATCH_EVENTS);
  });

  it('is the same for the same seed and different for another, so both contenders ingest the same bytes', () => {
    expect(agentRing(20, 7)).toEqual(ring);
    expect(agentRing(2, 8).first[0]).not.toEqual(ring.first[0]);
  });

  it('carries realistic Java stacks (13-17 frames) that attribute to SDKs, the app, libraries and the system', () => {
    const java = batches.flat().filter((e) => !e.api.startsWith('libc!') && e.dataType !== 'lifecycle');
    const depths = java.map((e) => e.stack.length);
    expect(Math.min(...depths)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...depths)).toBeLessThanOrEqual(20);
    const sdks = loadSdkCatalogue();
    const parties = new Set(java.map((e) => attribute(e.stack, APP_PACKAGE, sdks).party));
    expect([...parties].sort()).toEqual(['first', 'sdk', 'system', 'unknown']);
    expect(batches.flat().some((e) => e.lifecycle?.state === 'background')).toBe(true);
  });

  it('repeats call sites: a few hundred distinct stacks, each sent once, then by id', () => {
    expect(ring.distinctStacks).toBe(new Set(batches.flat().map((e) => JSON.stringify(e.stack))).size);
    expect(ring.distinctStacks).toBeGreaterThan(200);
    expect(ring.distinctStacks).toBeLessThan(400);
    const defined = first.flatMap((m) => m.stacks ?? []);
    expect(defined).toHaveLength(ring.distinctStacks);
    expect(steady.every((m) => m.stacks === undefined)).toBe(true);
    const events = resolve([...first, ...steady]);
    expect(events.every((e) => !e.inline)).toBe(true);
    // The same events, stacks and all, on every pass.
    const expected = batches.flat().map((e) => e.stack);
    expect(events.map((e) => e.stack)).toEqual([...expected, ...expected]);
  });

  it('in the worst case gives every hook event a stack of its own, sent inline because the agent table is full', () => {
    const worst = agentRing(20, 7, 'distinct');
    expect(worst.steady).toEqual(worst.first);
    expect(worst.distinctStacks).toBe(0);
    const events = resolve(parse(worst.first));
    expect(events.every((e) => e.inline)).toBe(true);
    const hooked = events.filter((e) => e.stack.length > 0 && !e.stack[0]!.startsWith('android.app.Activity.perform'));
    expect(new Set(hooked.map((e) => JSON.stringify(e.stack))).size).toBe(hooked.length);
  });
});

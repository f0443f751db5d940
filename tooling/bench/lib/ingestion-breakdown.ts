import { loadSdkCatalogue } from '../../../product/evidence/catalogue/sdk-catalogue.js';
import { checkAgentEvent } from '../../../product/capture/instrumentation/agent-event-check.js';
import { AgentMessage, type AgentEvent } from '../../../product/contracts/agent-messages.js';
import { attribute } from '../../../product/capture/instrumentation/stack-attribution.js';
import { completeHookEvent, hookEventHead, lineTail } from '../../../product/capture/instrumentation/event-recorder.js';
import { internStack, StackTable, type InternedStack } from '../../../product/capture/instrumentation/stack-table.js';
import type { AgentRing } from './agent-batches.js';
import { APP_PACKAGE, APP_PID } from './agent-batches.js';

/**
 * Where the real ingestion path spends its time, stage by stage, on the same messages: each
 * stage is timed alone over every event of the ring's steady pass (in memory, no disk), best of
 * `reps`. The stages are the steps an AgentChannel (event-recorder.ts) takes per event, using
 * its own exported pieces; the sum is close to, not exactly, the end-to-end cost (allocation
 * and GC are shared, and the write to the stream is not here).
 */
export interface StageCost {
  stage: string;
  usPerEvent: number;
}

export interface Breakdown {
  stages: StageCost[];
  /** Once per distinct stack: the definition's check, its attribution and its JSON, µs each. */
  usPerDefinition: number;
  definitions: number;
}

type EventsMessage = Extract<AgentMessage, { type: 'events' }>;

function best(reps: number, fn: () => void): number {
  let out = Number.POSITIVE_INFINITY;
  for (let r = 0; r < reps; r += 1) {
    const start = process.hrtime.bigint();
    fn();
    out = Math.min(out, Number(process.hrtime.bigint() - start) / 1e3);
  }
  return out;
}

export function ingestionBreakdown(ring: AgentRing, reps = 3): Breakdown {
  const sdks = loadSdkCatalogue();
  const attributeFrames = (frames: readonly string[]) => attribute(frames, APP_PACKAGE, sdks);
  const parse = (texts: string[]) => texts.map((t) => AgentMessage.parse(JSON.parse(t)) as EventsMessage);
  const definitions = parse(ring.first).flatMap((m) => m.stacks ?? []);
  const table = new StackTable({ maxStacks: 65_536, maxChars: 64_000_000 }, attributeFrames);
  for (const d of definitions) table.define(d);

  const texts = ring.steady;
  const raw = texts.map((t) => JSON.parse(t) as unknown);
  const messages = parse(texts);
  const rawEvents = messages.flatMap((m) => m.events);
  const events: AgentEvent[] = rawEvents.map((e) => {
    const c = checkAgentEvent(e);
    if (!c.ok) throw new Error(`the ring holds an invalid event: ${c.field}`);
    return c.event;
  });
  const inline = events.some((e) => e.stack !== undefined);
  const stackOf = (e: AgentEvent): InternedStack => (e.stack !== undefined ? internStack(e.stack, attributeFrames(e.stack)) : table.get(e.stackId!)!);
  const stacks = events.map(stackOf);
  const heads = events.map((e) => hookEventHead(e, 0));
  const headJson = heads.map((h) => JSON.stringify(h));
  const full = events.map((e, i) => {
    const h = hookEventHead(e, 0);
    completeHookEvent(h, e, stacks[i]!, APP_PID, APP_PACKAGE);
    return h;
  });
  const processJson = `,"pid":${APP_PID},"process":${JSON.stringify(APP_PACKAGE)}`;
  const tails = full.map((h, i) => lineTail(stacks[i]!, processJson, h, !inline));

  let sink = 0;
  const stages: [string, () => void][] = [
    ['JSON.parse of the message text', () => texts.forEach((t) => (sink += (JSON.parse(t) as { pid: number }).pid))],
    ['AgentMessage envelope (zod)', () => raw.forEach((m) => (sink += AgentMessage.safeParse(m).success ? 1 : 0))],
    [`per-event check (hand-written${inline ? ', inline frames included' : ''})`, () => rawEvents.forEach((e) => (sink += checkAgentEvent(e).ok ? 1 : 0))],
    [
      inline ? 'stack: attribution per event (inline)' : 'stack: lookup in the channel table (attribution cached)',
      inline ? () => events.forEach((e) => (sink += attributeFrames(e.stack!).party.length)) : () => events.forEach((e) => (sink += table.get(e.stackId!)!.frames.length)),
    ],
    ['HookEvent built (clock, fields in schema order)', () => events.forEach((e, i) => (sink += completeAndCount(hookEventHead(e, 0), e, stacks[i]!)))],
    ['JSON.stringify of the fields before the stack', () => heads.forEach((h) => (sink += JSON.stringify(h).length))],
    [inline ? 'stack and attribution JSON per event (inline)' : 'stack and attribution JSON (cached per stack)', inline ? () => events.forEach((e, i) => (sink += JSON.stringify(e.stack).length + JSON.stringify(stacks[i]!.attribution).length)) : () => stacks.forEach((s) => (sink += s.framesJson.length))],
    [inline ? 'line tail as text per event (inline)' : 'line tail (encoded once per stack)', () => full.forEach((h, i) => (sink += lineTail(stacks[i]!, processJson, h, !inline).length))],
    ['line into the write buffer (UTF-8 head, tail copied; as BundleWriter.appendTrustedLine)', () => (sink += encodeLines(headJson, tails))],
  ];
  const out = stages.map(([stage, fn]) => ({ stage, usPerEvent: best(reps, fn) / events.length }));
  const defineUs = definitions.length
    ? best(reps, () => {
        const t = new StackTable({ maxStacks: 65_536, maxChars: 64_000_000 }, attributeFrames);
        for (const d of definitions) sink += t.define(d).ok ? 1 : 0;
      }) / definitions.length
    : 0;
  if (sink < 0) throw new Error('unreachable');
  return { stages: out, usPerDefinition: defineUs, definitions: definitions.length };
}

/** What appendTrustedLine does per line, into one scratch buffer (no stream): bytes written. */
function encodeLines(heads: string[], tails: (Uint8Array | string)[]): number {
  const scratch = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  let total = 0;
  for (let i = 0; i < heads.length; i += 1) {
    const head = heads[i]!;
    const tail = tails[i]!;
    if (used + head.length * 3 + (typeof tail === 'string' ? tail.length * 3 : tail.length) + 32 > scratch.length) {
      total += used;
      used = 0;
    }
    used += scratch.write(head.slice(0, -1), used);
    if (typeof tail === 'string') used += scratch.write(tail, used);
    else {
      scratch.set(tail, used);
      used += tail.length;
    }
    used += scratch.write(`,"id":"e${i + 1}"}\n`, used, 'latin1');
  }
  return total + used;
}

function completeAndCount(h: ReturnType<typeof hookEventHead>, e: AgentEvent, s: InternedStack): number {
  completeHookEvent(h, e, s, APP_PID, APP_PACKAGE);
  return h.args.length;
}

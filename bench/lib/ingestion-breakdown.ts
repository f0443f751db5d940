import { HookEvent } from '../../harness/bundle/schema.js';
import { loadSdkCatalogue } from '../../harness/catalogue/sdk-catalogue.js';
import { AgentEvent, AgentMessage } from '../../harness/instrumentation/agent-messages.js';
import { attribute } from '../../harness/instrumentation/attribution.js';
import { APP_PACKAGE } from './agent-batches.js';

/**
 * Where the real ingestion path spends its time, stage by stage, on the same messages: each
 * stage is timed alone over every event of the ring (in memory, no disk), best of `reps`. The
 * stages are the steps AgentEventRecorder.record and BundleWriter.append take per event; the
 * sum is close to, not exactly, the end-to-end cost (allocation and GC are shared).
 */
export interface StageCost {
  stage: string;
  usPerEvent: number;
}

export function ingestionBreakdown(batchTexts: string[], reps = 3): StageCost[] {
  const sdks = loadSdkCatalogue();
  const messages = batchTexts.map((t) => JSON.parse(t) as { pid: number; events: unknown[] });
  const events = messages.flatMap((m) => m.events);
  const valid = events.map((e) => AgentEvent.parse(e));
  const hookEvents = valid.map((e, i) => ({
    id: `e${i + 1}`,
    t: e.tWall,
    tDevice: e.tWall,
    ...(e.monotonicNs !== undefined ? { monotonicNs: e.monotonicNs } : {}),
    dataType: e.dataType,
    api: e.api,
    ...(e.overload !== undefined ? { overload: e.overload } : {}),
    args: e.args,
    ...(e.ret !== undefined ? { ret: e.ret } : {}),
    outcome: e.outcome,
    ...(e.thread !== undefined ? { thread: e.thread } : {}),
    stack: e.stack,
    pid: 1,
    process: APP_PACKAGE,
    attribution: attribute(e.stack, APP_PACKAGE, sdks),
  }));
  let sink = 0;
  const stages: [string, () => void][] = [
    ['JSON.parse of the message text', () => batchTexts.forEach((t) => (sink += (JSON.parse(t) as { pid: number }).pid))],
    ['AgentMessage envelope (zod)', () => messages.forEach((m) => (sink += AgentMessage.safeParse(m).success ? 1 : 0))],
    ['AgentEvent per event (zod)', () => events.forEach((e) => (sink += AgentEvent.safeParse(e).success ? 1 : 0))],
    ['attribution from the stack', () => valid.forEach((e) => (sink += attribute(e.stack, APP_PACKAGE, sdks).party.length))],
    ['HookEvent re-validation in BundleWriter (zod)', () => hookEvents.forEach((e) => (sink += HookEvent.parse(e).id.length))],
    ['JSON.stringify of the HookEvent', () => hookEvents.forEach((e) => (sink += JSON.stringify(e).length))],
  ];
  const out = stages.map(([stage, fn]) => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < reps; r += 1) {
      const start = process.hrtime.bigint();
      fn();
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e3);
    }
    return { stage, usPerEvent: best / events.length };
  });
  if (sink < 0) throw new Error('unreachable');
  return out;
}

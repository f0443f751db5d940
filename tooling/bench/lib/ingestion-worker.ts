/**
 * One contender of the event-ingestion benchmark, in its own process (so its RSS high-water
 * mark is its own). Feeds `--events` events, as agent `events` messages, into either
 *
 *   consentry  the real host path: message text → JSON.parse → AgentMessage (zod) →
 *              AgentEventRecorder (per-event validation, clock conversion, attribution) →
 *              BundleWriter (HookEvent schema, ids) → events.jsonl
 *   peer       message text → JSON.parse → JSON.stringify per event → plain fs.WriteStream
 *
 * Each message is delivered in its own macrotask (setImmediate), as Frida delivers messages
 * one per event-loop turn, so the write streams get to flush between messages. Prints one
 * JSON result line (see IngestionResult).
 */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { z } from 'zod';
import { BundleWriter } from '../../../product/evidence/bundle/writer.js';
import { runMeta } from '../../../product/evidence/bundle/test-support/factories.js';
import { BUNDLE_FILES } from '../../../product/contracts/bundle-schema.js';
import { loadSdkCatalogue } from '../../../product/evidence/catalogue/sdk-catalogue.js';
import { silentLogger } from '../../../product/core/logger.js';
import { AgentMessage } from '../../../product/contracts/agent-messages.js';
import { AgentEventRecorder } from '../../../product/capture/instrumentation/event-recorder.js';
import { agentRing, APP_PACKAGE, APP_PID, BATCH_EVENTS, RING_BATCHES } from './agent-batches.js';
import { emitWorkerResult } from './worker-output.js';
import { IngestionResult } from './ingestion-result.js';
import { RssSampler } from './rss.js';


interface Contender {
  /** Returns a promise when the contender asks the producer to wait (backpressure). */
  deliver(text: string): Promise<void> | undefined;
  finish(): Promise<void>;
  recorded(): number;
  problems(): string[];
  file: string;
}

function consentry(outDir: string): Contender {
  const writer = BundleWriter.create(outDir, { ...runMeta({ runId: 'bench-ingestion', app: { package: APP_PACKAGE } }), endedAt: undefined, outcome: 'running' });
  const recorder = new AgentEventRecorder({ sink: writer, packageName: APP_PACKAGE, sdks: loadSdkCatalogue(), logger: silentLogger() });
  // One agent instance: its stack ids hold for the whole run.
  const channel = recorder.openChannel(APP_PID, APP_PACKAGE);
  const problems: string[] = [];
  return {
    file: join(writer.dir, BUNDLE_FILES.events),
    deliver(text) {
      // As FridaInstrumentation's script.message handler does with each payload.
      const parsed = AgentMessage.safeParse(JSON.parse(text));
      if (!parsed.success) {
        problems.push(`invalid message: ${parsed.error.issues[0]?.message}`);
        return undefined;
      }
      const m = parsed.data;
      if (m.type === 'events') channel.receive(m);
      // The real path has no backpressure signal: BundleWriter.append never waits.
      return undefined;
    },
    async finish() {
      recorder.flushLifecycle(true);
      await writer.finish('complete');
    },
    recorded: () => Math.min(recorder.counts.events, writer.counts.events),
    problems: () => [...problems, ...recorder.problems()],
  };
}

function peer(outDir: string): Contender {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'events.jsonl');
  const out = createWriteStream(file);
  const stacks = new Map<number, unknown>();
  let lines = 0;
  return {
    file,
    deliver(text) {
      const m = JSON.parse(text) as { events: { stack?: unknown; stackId?: number }[]; stacks?: { id: number; frames: unknown }[] };
      for (const d of m.stacks ?? []) stacks.set(d.id, d.frames);
      let full = false;
      for (const e of m.events) {
        // The stack in place of its id (an undefined key is left out of the JSON).
        if (e.stackId !== undefined) {
          e.stack = stacks.get(e.stackId);
          e.stackId = undefined;
        }
        if (!out.write(`${JSON.stringify(e)}\n`)) full = true;
        lines += 1;
      }
      // A plain stream used as documented: wait for 'drain' once its buffer is full.
      return full ? once(out, 'drain').then(() => undefined) : undefined;
    },
    async finish() {
      out.end();
      await once(out, 'finish');
    },
    recorded: () => lines,
    problems: () => [],
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: 'string' },
      events: { type: 'string' },
      'until-bytes': { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '11' },
      stacks: { type: 'string', default: 'realistic' },
    },
  });
  const mode = z.enum(['consentry', 'peer']).parse(values.mode);
  // Either a fixed count, or "until the output file holds this many bytes" (whole batches).
  const maxEvents = values.events === undefined ? Number.MAX_SAFE_INTEGER : z.coerce.number().int().positive().multipleOf(BATCH_EVENTS).parse(values.events);
  const untilBytes = values['until-bytes'] === undefined ? Number.POSITIVE_INFINITY : z.coerce.number().int().positive().parse(values['until-bytes']);
  if (!Number.isFinite(untilBytes) && values.events === undefined) throw new Error('give --events or --until-bytes');
  const outDir = z.string().min(1).parse(values.out);
  const stacks = z.enum(['realistic', 'distinct']).parse(values.stacks);
  const ring = agentRing(RING_BATCHES, Number(values.seed), stacks);
  const contender = mode === 'consentry' ? consentry(outDir) : peer(outDir);

  const sampler = new RssSampler(20).start();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let events = 0;
  for (let b = 0; events < maxEvents; b += 1) {
    // The first pass defines the stacks; later passes refer to them, as a running agent does.
    const wait = contender.deliver((b < RING_BATCHES ? ring.first : ring.steady)[b % RING_BATCHES]!);
    events += BATCH_EVENTS;
    if (wait) await wait;
    // One message per event-loop turn, as Frida delivers them.
    await nextTurn();
    if ((b & 63) === 0) {
      sampler.sample();
      if (existsSync(contender.file) && statSync(contender.file).size >= untilBytes) break;
    }
  }
  await contender.finish();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  const rss = sampler.stop();
  const result: IngestionResult = {
    mode,
    stacks,
    eventsIn: events,
    cpuMs: (cpu.user + cpu.system) / 1000,
    eventsRecorded: contender.recorded(),
    problems: contender.problems(),
    ms,
    file: contender.file,
    bytes: statSync(contender.file).size,
    rss,
  };
  emitWorkerResult(IngestionResult.parse(result));
}

await main();

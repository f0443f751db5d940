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
import { BundleWriter } from '../../harness/bundle/writer.js';
import { runMeta } from '../../harness/bundle/factories.js';
import { BUNDLE_FILES } from '../../harness/bundle/schema.js';
import { loadSdkCatalogue } from '../../harness/catalogue/sdk-catalogue.js';
import { silentLogger } from '../../harness/core/logger.js';
import { AgentMessage } from '../../harness/instrumentation/agent-messages.js';
import { AgentEventRecorder } from '../../harness/instrumentation/event-recorder.js';
import { agentBatchTexts, APP_PACKAGE, BATCH_EVENTS } from './agent-batches.js';
import { emitWorkerResult } from './worker-output.js';
import { IngestionResult } from './ingestion-result.js';
import { RssSampler } from './rss.js';

/** How many distinct batches are generated up front and cycled (≈20 MB of message text). */
export const RING_BATCHES = 64;

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
      if (m.type === 'events') recorder.record(m.pid, APP_PACKAGE, m.events, m.dropped);
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
  let lines = 0;
  return {
    file,
    deliver(text) {
      const m = JSON.parse(text) as { events: unknown[] };
      let full = false;
      for (const e of m.events) {
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
    },
  });
  const mode = z.enum(['consentry', 'peer']).parse(values.mode);
  // Either a fixed count, or "until the output file holds this many bytes" (whole batches).
  const maxEvents = values.events === undefined ? Number.MAX_SAFE_INTEGER : z.coerce.number().int().positive().multipleOf(BATCH_EVENTS).parse(values.events);
  const untilBytes = values['until-bytes'] === undefined ? Number.POSITIVE_INFINITY : z.coerce.number().int().positive().parse(values['until-bytes']);
  if (!Number.isFinite(untilBytes) && values.events === undefined) throw new Error('give --events or --until-bytes');
  const outDir = z.string().min(1).parse(values.out);
  const ring = agentBatchTexts(RING_BATCHES, Number(values.seed));
  const contender = mode === 'consentry' ? consentry(outDir) : peer(outDir);

  const sampler = new RssSampler(20).start();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  let events = 0;
  for (let b = 0; events < maxEvents; b += 1) {
    const wait = contender.deliver(ring[b % RING_BATCHES]!);
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

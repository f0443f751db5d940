/**
 * Event ingestion (benchmarks issue, item 5): hook events/s from the agent channel into the
 * bundle without loss (target ≥ 100k/s) and peak RSS while writing a 1 GB events.jsonl
 * (target < 300 MB), against a peer that writes the same events with JSON.stringify and a plain
 * fs.WriteStream (no validation, no attribution). Twice: with realistic agent traffic (call
 * sites repeat, so stacks are interned) and with every stack distinct (the agent's table full,
 * every stack inline: the host's worst case). The target is judged on the realistic row.
 *
 *   npm run bench -- event-ingestion [--quick] [--profile] [--keep]
 *
 *   --quick    128 MiB instead of 1 GiB (a smoke run; RSS target not judged)
 *   --profile  also profile the real path (node --cpu-prof, 100k events) and print what dominates
 *   --keep     keep the temp directory with both outputs
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HookEvent, type RunMeta } from '../../product/contracts/bundle-schema.js';
import { readRunMeta } from '../../product/evidence/bundle/reader.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { agentRing, RING_BATCHES, type StackShape } from './lib/agent-batches.js';
import { runWorker } from './lib/child.js';
import { summariseCpuProfile } from './lib/cpu-profile.js';
import { ingestionBreakdown } from './lib/ingestion-breakdown.js';
import { IngestionResult } from './lib/ingestion-result.js';
import { scanLines } from './lib/line-scan.js';
import { benchCommand, header, markdownTable, print, ratioLine } from './lib/report.js';
import { mib } from './lib/rss.js';
import { perSecond } from './lib/timing.js';

const WORKER = new URL('./lib/ingestion-worker.ts', import.meta.url);
const GIB = 1024 ** 3;
const TARGET_EVENTS_PER_S = 100_000;
const TARGET_PEAK_RSS_MB = 300;
/** Lines compared field by field between the two outputs: one whole ring of distinct events. */
const COMPARED_LINES = 12_800;

// Not strict: `npm run bench -- --quick` forwards every flag to every benchmark.
const { values: flags } = parseArgs({ options: { quick: { type: 'boolean' }, profile: { type: 'boolean' }, keep: { type: 'boolean' } }, strict: false });

function worker(args: string[], profileDir?: string): Promise<IngestionResult> {
  return runWorker(WORKER, args, IngestionResult, {
    timeoutMs: 30 * 60_000,
    ...(profileDir ? { nodeFlags: ['--cpu-prof', '--cpu-prof-dir', profileDir], fromSource: true } : {}),
  });
}

/** No loss: lines out = events in = what the recorder and writer counted, nothing torn. */
async function checkNoLoss(r: IngestionResult): Promise<{ problems: string[]; first: string[]; last?: string }> {
  const scan = await scanLines(r.file, COMPARED_LINES);
  const problems = [...r.problems];
  if (scan.lines !== r.eventsIn) problems.push(`${r.mode}: ${r.eventsIn} events in, ${scan.lines} lines out`);
  if (r.eventsRecorded !== r.eventsIn) problems.push(`${r.mode}: ${r.eventsIn} events in, ${r.eventsRecorded} recorded`);
  if (scan.unterminated) problems.push(`${r.mode}: the last line is torn`);
  return { problems, first: scan.first, ...(scan.last !== undefined ? { last: scan.last } : {}) };
}

/** The same events on both sides: every field the agent sent, for a whole ring of events. */
function compareOutputs(ours: string[], peer: string[]): string[] {
  const problems: string[] = [];
  const fields = ['dataType', 'api', 'overload', 'args', 'ret', 'outcome', 'thread', 'stack', 'monotonicNs'] as const;
  for (let i = 0; i < Math.min(ours.length, peer.length); i += 1) {
    const o = HookEvent.parse(JSON.parse(ours[i]!));
    const p = JSON.parse(peer[i]!) as Record<string, unknown>;
    if (o.id !== `e${i + 1}`) problems.push(`line ${i + 1}: id ${o.id}, expected e${i + 1}`);
    if (o.tDevice !== p.tWall) problems.push(`line ${i + 1}: tDevice ${o.tDevice} ≠ tWall ${String(p.tWall)}`);
    for (const f of fields) {
      if (JSON.stringify(o[f]) !== JSON.stringify(p[f])) problems.push(`line ${i + 1}: ${f} differs`);
    }
    if (!o.attribution) problems.push(`line ${i + 1}: no attribution`);
    if (problems.length > 5) break;
  }
  return problems;
}

interface Pair {
  shape: StackShape;
  ours: IngestionResult;
  peer: IngestionResult;
}

/** consentry until the output reaches `targetBytes`, then the peer on the same event count. */
async function runPair(dir: string, shape: StackShape, targetBytes: number): Promise<Pair> {
  const ours = await worker(['--mode', 'consentry', '--stacks', shape, '--until-bytes', String(targetBytes), '--out', join(dir, `consentry-${shape}`)]);
  const peer = await worker(['--mode', 'peer', '--stacks', shape, '--events', String(ours.eventsIn), '--out', join(dir, `peer-${shape}`)]);
  return { shape, ours, peer };
}

/** Correctness before speed: no loss on either side, the same events field by field. */
async function checkPair(dir: string, { shape, ours, peer }: Pair): Promise<string[]> {
  const [oc, pc] = await Promise.all([checkNoLoss(ours), checkNoLoss(peer)]);
  const problems = [...oc.problems, ...pc.problems, ...compareOutputs(oc.first, pc.first)].map((p) => `${shape}: ${p}`);
  if (oc.last !== undefined && HookEvent.parse(JSON.parse(oc.last)).id !== `e${ours.eventsIn}`) problems.push(`${shape}: consentry's last event does not carry the last id`);
  const meta: RunMeta = readRunMeta(join(dir, `consentry-${shape}`, 'bench-ingestion'));
  if (meta.outcome !== 'complete') problems.push(`${shape}: consentry's run.json says ${meta.outcome}`);
  print(`correctness (${shape} stacks): ${ours.eventsIn.toLocaleString('en-US')} events in; lines out: ${problems.length ? 'see below' : 'all, both'}; first ${Math.min(oc.first.length, COMPARED_LINES).toLocaleString('en-US')} records identical field by field`);
  return problems;
}

async function main(): Promise<number> {
  const targetBytes = flags.quick ? 128 * 1024 * 1024 : GIB;
  print(header('Event ingestion: agent channel → bundle', benchCommand(import.meta.url)));
  const dir = mkdtempSync(join(tmpdir(), 'consentry-bench-ingestion-'));
  try {
    const realistic = await runPair(dir, 'realistic', targetBytes);
    const distinct = await runPair(dir, 'distinct', targetBytes);
    const problems = [...(await checkPair(dir, realistic)), ...(await checkPair(dir, distinct))];
    if (problems.length) {
      for (const p of problems.slice(0, 10)) print(`MISMATCH: ${p}`);
      return 1;
    }
    const rings = { realistic: agentRing(RING_BATCHES, 11, 'realistic'), distinct: agentRing(RING_BATCHES, 11, 'distinct') };
    print(`traffic: realistic = ${rings.realistic.distinctStacks} distinct stacks (call sites repeat; each sent once, then by id); distinct = every hook event's stack its own, sent inline (the agent's table is full)`);

    const row = (name: string, r: IngestionResult) => [
      name,
      r.eventsIn,
      (r.ms / 1000).toFixed(1),
      Math.round(perSecond(r.eventsIn, r.ms)),
      Math.round(perSecond(r.eventsIn, r.cpuMs)),
      Math.round(mib(r.bytes) / (r.ms / 1000)),
      Math.round(mib(r.bytes)),
      Math.round(mib(r.rss.kernelPeakBytes)),
      Math.round(mib(r.rss.kernelPeakBytes - r.rss.baselineBytes)),
    ];
    print('');
    print(
      markdownTable(
        ['contender', 'events', 'wall s', 'events/s', 'events/CPU-s', 'MiB/s', 'output MiB', 'peak RSS MiB', 'RSS growth MiB'],
        [
          row('consentry, realistic stacks (AgentMessage → channel → BundleWriter)', realistic.ours),
          row('peer, realistic stacks (JSON.stringify → fs.WriteStream)', realistic.peer),
          row('consentry, every stack distinct (worst case)', distinct.ours),
          row('peer, every stack distinct', distinct.peer),
        ],
        ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
    print('');
    print('Where the real path spends its time (each stage alone, in memory, best of 5, over a steady pass of the ring):');
    print('');
    const costs = { realistic: ingestionBreakdown(rings.realistic, 5), distinct: ingestionBreakdown(rings.distinct, 5) };
    const totals = { realistic: sum(costs.realistic.stages), distinct: sum(costs.distinct.stages) };
    print(
      markdownTable(
        ['stage (realistic stacks / every stack distinct)', 'µs/event', 'share', 'µs/event distinct', 'share distinct'],
        costs.realistic.stages.map((s, i) => {
          const d = costs.distinct.stages[i]!;
          const name = s.stage === d.stage ? s.stage : `${s.stage} / ${d.stage}`;
          return [name, s.usPerEvent.toFixed(2), share(s.usPerEvent, totals.realistic), d.usPerEvent.toFixed(2), share(d.usPerEvent, totals.distinct)];
        }),
        ['left', 'right', 'right', 'right', 'right'],
      ),
    );
    print('');
    print(`once per distinct stack (realistic: ${costs.realistic.definitions} definitions in the ring): check + attribution + JSON = ${costs.realistic.usPerDefinition.toFixed(1)} µs per definition`);
    if (flags.profile) await profile(dir);
    const rate = perSecond(realistic.ours.eventsIn, realistic.ours.ms);
    const worst = perSecond(distinct.ours.eventsIn, distinct.ours.ms);
    const peakMb = Math.max(realistic.ours.rss.kernelPeakBytes, distinct.ours.rss.kernelPeakBytes) / 1e6;
    print('');
    print(`consentry: ${Math.round(rate).toLocaleString('en-US')} events/s with realistic stacks (target ≥ ${TARGET_EVENTS_PER_S.toLocaleString('en-US')}) ${rate >= TARGET_EVENTS_PER_S ? 'PASS' : 'BELOW TARGET'}; ${Math.round(worst).toLocaleString('en-US')} events/s with every stack distinct; peak RSS ${peakMb.toFixed(0)} MB for ${(realistic.ours.bytes / 1e9).toFixed(2)} GB (target < ${TARGET_PEAK_RSS_MB} MB) ${flags.quick ? 'not judged (--quick)' : peakMb < TARGET_PEAK_RSS_MB ? 'PASS' : 'ABOVE TARGET'}`);
    print(ratioLine({ metric: 'events/s', ours: rate, peer: perSecond(realistic.peer.eventsIn, realistic.peer.ms), peerName: 'plain JSON.stringify+WriteStream' }));
    return 0;
  } finally {
    if (flags.keep) print(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

const sum = (stages: { usPerEvent: number }[]) => stages.reduce((s, x) => s + x.usPerEvent, 0);
const share = (us: number, total: number) => `${((100 * us) / total).toFixed(0)}%`;

/** Profiles the real path on 100k events and prints the top self-time functions and modules. */
async function profile(dir: string): Promise<void> {
  const profDir = join(dir, 'profile');
  await worker(['--mode', 'consentry', '--stacks', 'realistic', '--events', '100000', '--out', join(dir, 'profiled')], profDir);
  // The main thread's profile is the first one (tsx's loader thread writes another).
  const file = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile')).sort()[0];
  if (!file) return;
  const s = summariseCpuProfile(join(profDir, file), PACKAGE_ROOT, 12);
  print('');
  print(`CPU profile of the real path (node --cpu-prof, from source through tsx, 100k events, ${(s.totalMs / 1000).toFixed(1)} s sampled, including start-up):`);
  print('');
  print(markdownTable(['module (self time)', 'ms', 'share'], s.selfByModule.map((e) => [e.name, Math.round(e.ms), `${(e.share * 100).toFixed(1)}%`]), ['left', 'right', 'right']));
  print('');
  print(markdownTable(['function (inclusive time)', 'ms', 'share'], s.inclusiveByFunction.map((e) => [e.name, Math.round(e.ms), `${(e.share * 100).toFixed(1)}%`]), ['left', 'right', 'right']));
}

process.exitCode = await main();

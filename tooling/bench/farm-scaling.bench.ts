/**
 * Farm scaling (benchmarks issue, item 2): apps per hour with 1, 4, 16 and 32 virtual devices
 * on this one host, and the efficiency against linear scaling from one device (the peer: N
 * times the one-device rate). The real farm path: JobStore + BatchRunner + pipelineRunner over
 * the real pipeline, `consentry virtual-device --count N` in its own process, our own adb server.
 *
 * Bounded: short observe times (scale 0.1 of the scenario), few apps per device. Each farm size
 * first runs one warm-up app per device (Appium server start, first sessions), untimed; then
 * `--apps-per-device` apps per device are timed from the first claim to the last result.
 *
 *   npm run bench -- farm-scaling [--devices 1,4,16,32] [--apps-per-device 2] [--observe-scale 0.1] [--quick]
 *
 *   --quick  1 and 4 devices only
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JobStore } from '../../product/farm/job-store.js';
import { BatchRunner } from '../../product/farm/batch-runner.js';
import { farmDevices, pipelineRunner } from '../../product/farm/pipeline-farm.js';
import { openBenchFarm, sampleApks, type BenchFarm } from './lib/bench-farm.js';
import { benchCommand, header, markdownTable, print, ratioLine } from './lib/report.js';
import { bundlePhases } from './lib/run-phases.js';
import { median, perSecond, timed } from './lib/timing.js';

const SCENARIO = 'pre-consent-idle';
/** What a lab calls good scaling on one host; reported, not a failure. */
const TARGET_EFFICIENCY = 0.8;

// Not strict: `npm run bench -- --quick` forwards every flag to every benchmark.
const { values: flags } = parseArgs({
  options: {
    devices: { type: 'string', default: '1,4,16,32' },
    'apps-per-device': { type: 'string', default: '2' },
    'observe-scale': { type: 'string', default: '0.1' },
    quick: { type: 'boolean' },
  },
  strict: false,
});
const SIZES = flags.quick ? [1, 4] : String(flags.devices).split(',').map(Number);
const PER_DEVICE = Math.max(1, Number(flags['apps-per-device']));
const SCALE = Number(flags['observe-scale']);

interface SizeResult {
  devices: number;
  apps: number;
  wallMs: number;
  done: number;
  failed: string[];
  /** Host CPU busy share over the timed batch (all cores), from /proc/stat. */
  cpuBusy: number;
  medianAppMs: number;
  medianScenarioMs: number;
  medianSessionOpenMs: number;
}

/** /proc/stat's first line: [busy, total] jiffies. */
function cpuTimes(): [number, number] {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.reduce((s, v) => s + v, 0);
  return [total - idle, total];
}

async function batch(farm: BenchFarm, store: JobStore, id: string, apks: string[]): Promise<{ wallMs: number; cpuBusy: number }> {
  const { config } = farm.loaded;
  store.createBatch(id, 'bench', { scenario: SCENARIO, observeScale: SCALE }, apks.map((appPath) => ({ appPath })));
  const runner = new BatchRunner(
    store,
    farmDevices(farm.pipeline, config.stateDir, farm.serials),
    pipelineRunner(farm.pipeline, { capturesRoot: join(config.capturesRoot, id), scenario: SCENARIO, observeScale: SCALE, reportFormats: ['html', 'json'] }),
    { batchId: id, maxAttempts: 1 },
  );
  const [busy0, total0] = cpuTimes();
  const { ms } = await timed(() => runner.run());
  const [busy1, total1] = cpuTimes();
  return { wallMs: ms, cpuBusy: total1 > total0 ? (busy1 - busy0) / (total1 - total0) : 0 };
}

async function measure(devices: number, apks: string[]): Promise<SizeResult> {
  const farm = await openBenchFarm({ devices, startTimeoutS: 60 + 5 * devices });
  const store = new JobStore(join(farm.root, 'farm.sqlite'));
  try {
    await batch(farm, store, `warm-${devices}`, Array.from({ length: devices }, (_, i) => apks[i % apks.length]!));
    const chosen = Array.from({ length: devices * PER_DEVICE }, (_, i) => apks[i % apks.length]!);
    const id = `timed-${devices}`;
    const { wallMs, cpuBusy } = await batch(farm, store, id, chosen);
    const jobs = store.jobs(id);
    const done = jobs.filter((j) => j.status === 'done' && j.bundleDir);
    const phases = done.map((j) => bundlePhases(j.bundleDir!));
    const inRun = (p: ReturnType<typeof bundlePhases>) => [...p.phases.entries()].filter(([n]) => !n.includes(':')).reduce((s, [, v]) => s + v, 0);
    return {
      devices,
      apps: chosen.length,
      wallMs,
      done: done.length,
      failed: jobs.filter((j) => j.status !== 'done').map((j) => `${j.appPath.split('/').pop()}: ${j.errorMessage ?? j.status}`),
      cpuBusy,
      medianAppMs: median(phases.map(inRun)),
      medianScenarioMs: median(phases.map((p) => p.phases.get('scenario') ?? 0)),
      medianSessionOpenMs: median(phases.map((p) => p.scenario?.sessionOpenMs ?? 0)),
    };
  } finally {
    store.close();
    await farm.close();
  }
}

async function main(): Promise<number> {
  print(header('Farm scaling: apps/hour with N virtual devices on one host', benchCommand(import.meta.url)));
  const apks = sampleApks();
  print(`scenario ${SCENARIO} at observe scale ${SCALE}; ${PER_DEVICE} timed app(s) per device after one warm-up app per device; farm sizes ${SIZES.join(', ')}`);
  const results: SizeResult[] = [];
  for (const n of SIZES) {
    const r = await measure(n, apks);
    print(`  ${n} device(s): ${r.done}/${r.apps} done in ${(r.wallMs / 1000).toFixed(1)} s`);
    results.push(r);
  }
  const failed = results.filter((r) => r.failed.length);
  if (failed.length) {
    for (const r of failed) for (const f of r.failed) print(`MISMATCH: ${r.devices} device(s): ${f}`);
    return 1;
  }
  print('correctness: every job done, with a complete, analysed bundle');
  print('');
  const perHour = (r: SizeResult) => perSecond(r.apps, r.wallMs) * 3600;
  const base = perHour(results.find((r) => r.devices === 1) ?? results[0]!) / (results.find((r) => r.devices === 1) ?? results[0]!).devices;
  print(
    markdownTable(
      ['devices', 'apps', 'wall s', 'apps/hour', 'linear apps/hour', 'efficiency', 'host CPU busy', 'median run s (bundle phases)', 'median scenario s', 'median Appium session open s'],
      results.map((r) => [
        r.devices,
        r.apps,
        (r.wallMs / 1000).toFixed(1),
        Math.round(perHour(r)),
        Math.round(base * r.devices),
        `${((100 * perHour(r)) / (base * r.devices)).toFixed(0)}%`,
        `${(100 * r.cpuBusy).toFixed(0)}%`,
        (r.medianAppMs / 1000).toFixed(1),
        (r.medianScenarioMs / 1000).toFixed(1),
        (r.medianSessionOpenMs / 1000).toFixed(1),
      ]),
      ['right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  print('');
  const largest = results[results.length - 1]!;
  print(ratioLine({ metric: `apps/hour at ${largest.devices} devices (efficiency against linear)`, ours: perHour(largest), peer: base * largest.devices, peerName: 'linear from 1 device', target: TARGET_EFFICIENCY }));
  return 0;
}

process.exitCode = await main();

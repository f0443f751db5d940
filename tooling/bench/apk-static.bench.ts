/**
 * APK static analysis (benchmarks issue, item 6): APKs/s of consentry's static analysis over the
 * real APK fixtures (Appium's settings and UiAutomator2 server APKs, the virtual device's sample
 * apps) and generated large APKs, against Debian's androguard (manifest + DEX class listing) on
 * the same files. Target ≥ 10x. Each tool runs as one process over all files, `--runs` times;
 * reported both per run including interpreter start-up, and excluding it (timed inside).
 * Correctness first: package, permissions and the set of class names agree for every file.
 * consentry's worker is compiled as it ships (lazy imports stay lazy, the SDK catalogue in its
 * compiled form: see lib/apk-static-build.ts); the report says which catalogue form it used.
 *
 *   npm run bench -- apk-static [--runs 3] [--quick]
 *
 *   --quick  one run, and only the 3k-class generated APK (no 20k/50k-class builds)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';
import { ApkRunResult, type ApkFileResult } from './lib/apk-static-result.js';
import { prepareApkStaticWorker } from './lib/apk-static-build.js';
import type { PreparedWorker } from './lib/child.js';
import { buildLargeApk } from './lib/large-apks.js';
import { benchCommand, header, markdownTable, print, ratioLine } from './lib/report.js';
import { mib } from './lib/rss.js';
import { perSecond, timed } from './lib/timing.js';

const FIXTURE_DIRS = [
  '.appium/node_modules/appium-uiautomator2-driver/node_modules/io.appium.settings/apks',
  '.appium/node_modules/appium-uiautomator2-driver/node_modules/appium-uiautomator2-server/apks',
  'lab/sample-apps/apks',
].map((d) => join(PACKAGE_ROOT, d));
const WORKER = new URL('./lib/apk-static-worker.ts', import.meta.url);
const ANDROGUARD = join(PACKAGE_ROOT, 'tooling', 'bench', 'lib', 'androguard-static.py');
/** Debian's interpreter, where python3-androguard is installed (a pyenv python on PATH would not see it). */
const DEBIAN_PYTHON = '/usr/bin/python3';
const TARGET_RATIO = 10;
const RUN_TIMEOUT_MS = 30 * 60_000;

// Not strict: `npm run bench -- --quick` forwards every flag to every benchmark.
const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '3' }, quick: { type: 'boolean' } }, strict: false });
const RUNS = flags.quick ? 1 : Math.max(1, Number(flags.runs));

interface ToolRun {
  result: ApkRunResult;
  /** Wall time of the whole process, start-up included. */
  wallMs: number;
  /** Sum of per-file times measured inside the process: start-up and imports excluded. */
  innerMs: number;
}

type Tool = { name: string; run: (files: string[]) => Promise<ApkRunResult> };

/** The worker is compiled before any timing starts; a run is a process start over all files. */
function tools(worker: PreparedWorker): Tool[] {
  const consentry = (mode: string) => (files: string[]) => worker.run(['--mode', mode, ...files], ApkRunResult, { timeoutMs: RUN_TIMEOUT_MS });
  return [
    {
      name: 'androguard 3.4.0~a1 (APK + DalvikVMFormat)',
      run: async (files) => {
        const res = await runProcess(DEBIAN_PYTHON, [ANDROGUARD, ...files], { timeoutMs: RUN_TIMEOUT_MS, maxOutputBytes: 256 * 1024 * 1024 });
        return ApkRunResult.parse(JSON.parse(res.stdout.trim().split('\n').pop() ?? ''));
      },
    },
    { name: 'consentry listing (manifest + DEX class names)', run: consentry('listing') },
    { name: 'consentry inspectApp (full static facts)', run: consentry('inspect') },
  ];
}

function fixtureApks(): string[] {
  return FIXTURE_DIRS.filter((d) => existsSync(d)).flatMap((d) =>
    readdirSync(d)
      .filter((f) => f.endsWith('.apk'))
      .sort()
      .map((f) => join(d, f)),
  );
}

/** Package, permissions and class names must agree with androguard's for every file. */
function compare(peer: ApkFileResult[], listing: ApkFileResult[], inspect: ApkFileResult[]): string[] {
  const problems: string[] = [];
  peer.forEach((p, i) => {
    const l = listing[i]!;
    const x = inspect[i]!;
    const name = basename(p.file);
    if (l.package !== p.package || x.package !== p.package) problems.push(`${name}: package androguard ${p.package}, listing ${l.package}, inspect ${x.package}`);
    for (const [who, r] of [['listing', l], ['inspect', x]] as const) {
      const missing = p.permissions.filter((q) => !r.permissions.includes(q));
      const extra = r.permissions.filter((q) => !p.permissions.includes(q));
      if (missing.length || extra.length) problems.push(`${name}: ${who} permissions differ (missing ${missing.join(', ') || '-'}; extra ${extra.join(', ') || '-'})`);
    }
    const ours = new Set(l.classes ?? []);
    const missing = (p.classes ?? []).filter((c) => !ours.has(c));
    const theirs = new Set(p.classes ?? []);
    const extra = (l.classes ?? []).filter((c) => !theirs.has(c));
    if (missing.length || extra.length) problems.push(`${name}: class names differ (${missing.length} missing e.g. ${missing[0] ?? '-'}; ${extra.length} extra e.g. ${extra[0] ?? '-'})`);
    if (l.classDefs !== p.classDefs || x.classDefs !== p.classDefs) problems.push(`${name}: class_defs androguard ${p.classDefs}, listing ${l.classDefs}, inspect ${x.classDefs}`);
  });
  return problems;
}

async function main(): Promise<number> {
  const worker = await prepareApkStaticWorker(WORKER);
  try {
    return await compareTools(tools(worker));
  } finally {
    worker.dispose();
  }
}

async function compareTools(contenders: Tool[]): Promise<number> {
  print(header('APK static analysis: consentry vs androguard', benchCommand(import.meta.url)));
  const generated: string[] = [];
  for (const classes of flags.quick ? [3000] : [3000, 20_000, 50_000]) {
    const { value, ms } = await timed(() => buildLargeApk(classes));
    print(`generated APK with ${classes.toLocaleString('en-US')} classes: ${basename(value)}${ms > 2000 ? ` (built in ${(ms / 1000).toFixed(0)} s, cached)` : ' (cached)'}`);
    generated.push(value);
  }
  const files = [...fixtureApks(), ...generated];
  const bytes = files.reduce((s, f) => s + statSync(f).size, 0);
  print(`${files.length} APKs, ${mib(bytes).toFixed(1)} MiB; ${RUNS} run(s) per tool, each one process over all files, best run reported`);

  const runs = new Map<string, ToolRun[]>();
  // Interleaved, so a burst of load from elsewhere hits every tool alike.
  for (let r = 0; r < RUNS; r += 1) {
    for (const tool of contenders) {
      const { value, ms } = await timed(() => tool.run(files));
      const innerMs = value.files.reduce((s, f) => s + f.ms, 0);
      runs.set(tool.name, [...(runs.get(tool.name) ?? []), { result: value, wallMs: ms, innerMs }]);
    }
  }
  const best = (name: string, key: 'wallMs' | 'innerMs') => Math.min(...runs.get(name)!.map((r) => r[key]));
  const [peerTool, listingTool, inspectTool] = contenders.map((t) => t.name) as [string, string, string];
  const first = (name: string) => runs.get(name)![0]!.result.files;

  const problems = compare(first(peerTool), first(listingTool), first(inspectTool));
  if (problems.length) {
    for (const p of problems) print(`MISMATCH: ${p}`);
    return 1;
  }
  print('correctness: package, permissions and the set of class names agree with androguard for every file');
  const form = runs.get(inspectTool)![0]!.result.catalogue;
  print(`SDK catalogue: ${form === 'compiled' ? 'compiled form, as `npm run build` ships it' : 'parsed from the YAML (no fresh compiled form)'}`);
  print('');

  // Per file: the fastest time each tool took for it across runs.
  const perFile = (name: string, i: number) => Math.min(...runs.get(name)!.map((r) => r.result.files[i]!.ms));
  print(
    markdownTable(
      ['APK', 'MiB', 'classes', 'androguard ms', 'listing ms', 'inspectApp ms', 'listing speed-up', 'inspectApp speed-up'],
      files.map((f, i) => {
        const peer = perFile(peerTool, i);
        return [
          basename(f),
          mib(statSync(f).size).toFixed(2),
          first(peerTool)[i]!.classDefs,
          peer.toFixed(1),
          perFile(listingTool, i).toFixed(1),
          perFile(inspectTool, i).toFixed(1),
          `${(peer / perFile(listingTool, i)).toFixed(1)}x`,
          `${(peer / perFile(inspectTool, i)).toFixed(1)}x`,
        ];
      }),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  print('');
  print(
    markdownTable(
      ['tool', 'run incl. start-up s', 'APKs/s incl. start-up', 'outside the files ms', 'files only s', 'APKs/s excl. start-up', 'MiB/s excl. start-up'],
      contenders.map((t) => [
        t.name,
        (best(t.name, 'wallMs') / 1000).toFixed(2),
        perSecond(files.length, best(t.name, 'wallMs')).toFixed(2),
        // Interpreter start-up, imports, result output and exit: the best run's wall time minus its files.
        Math.round(Math.min(...runs.get(t.name)!.map((r) => r.wallMs - r.innerMs))),
        (best(t.name, 'innerMs') / 1000).toFixed(2),
        perSecond(files.length, best(t.name, 'innerMs')).toFixed(2),
        (mib(bytes) / (best(t.name, 'innerMs') / 1000)).toFixed(1),
      ]),
      ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  print('');
  const rate = (name: string, key: 'wallMs' | 'innerMs') => perSecond(files.length, best(name, key));
  print(ratioLine({ metric: 'APKs/s excluding start-up, manifest + class listing', ours: rate(listingTool, 'innerMs'), peer: rate(peerTool, 'innerMs'), peerName: 'androguard', target: TARGET_RATIO }));
  print(ratioLine({ metric: 'APKs/s excluding start-up, full inspectApp', ours: rate(inspectTool, 'innerMs'), peer: rate(peerTool, 'innerMs'), peerName: 'androguard', target: TARGET_RATIO }));
  print(ratioLine({ metric: 'APKs/s per run including start-up, full inspectApp', ours: rate(inspectTool, 'wallMs'), peer: rate(peerTool, 'wallMs'), peerName: 'androguard', target: TARGET_RATIO }));
  return 0;
}

process.exitCode = await main();

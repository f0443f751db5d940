/**
 * UI detection (issues #19, #21): how often the scenario-side detectors find a consent dialog's
 * accept/refuse controls and a permission prompt's allow/deny controls at the right bounds, how
 * many false consent/permission detections they raise on pop-ups and ordinary screens, and dumps/s.
 * Peer in the same run: a naive text-only matcher (the first clickable node whose text starts
 * with an accept word, the first with a refuse word), what a script without structure would do.
 *
 * Corpora: the committed one (lab/corpora/ui-dumps), and, when present on this machine, the real
 * dumps a research helper gathered (/work/research/ui-dumps: local, not committed).
 *
 *   npm run bench -- ui-detection [--rounds 20] [--quick]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { clickTarget, type Bounds, type UiNode, type UiTree } from '../../product/capture/scenarios/ui-hierarchy.js';
import { consentryDetector, loadLabelledDumps, scoreCorpus, type CorpusScore, type Detector, type LabelledDump } from '../../lab/corpora/ui-dumps/score.js';
import { benchCommand, header, markdownTable, print, ratioLine } from './lib/report.js';
import { perSecond, timed } from './lib/timing.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, quick: { type: 'boolean' } }, strict: false });
const ROUNDS = flags.quick ? 3 : Math.max(1, Number(flags.rounds));
const RESEARCH = process.env.CONSENTRY_UI_DUMPS ?? '/work/research/ui-dumps';

/** The naive peer: words only, first match wins, no normalisation beyond case. */
const naiveDetector: Detector = (tree: UiTree) => {
  const text = (n: UiNode) => (n.text || n.contentDesc).trim().toLowerCase();
  const first = (re: RegExp): Bounds | undefined => {
    const hit = tree.nodes.find((n) => re.test(text(n)) && clickTarget(n) !== undefined);
    return hit ? clickTarget(hit)!.bounds : undefined;
  };
  const accept = first(/^(同意|接受|agree|accept|i agree)/);
  const refuse = first(/^(不同意|拒绝|暂不|disagree|decline|no thanks)/);
  const allow = first(/^(允许|始终允许|allow|while using)/);
  const deny = first(/^(拒绝|禁止|不允许|deny|don't allow)/);
  return {
    consent: accept ? { accept, refuse, label: 'consent (words)' } : undefined,
    permission: allow && deny ? { allow, deny, label: 'permission (words)' } : undefined,
  };
};

interface Row {
  corpus: string;
  tool: string;
  score: CorpusScore;
  dumpsPerSecond: number;
}

async function measure(corpus: string, dumps: LabelledDump[], tool: string, detector: Detector): Promise<Row> {
  const score = scoreCorpus(dumps, detector);
  const { ms } = await timed(() => {
    for (let r = 0; r < ROUNDS; r += 1) scoreCorpus(dumps, detector);
  });
  return { corpus, tool, score, dumpsPerSecond: perSecond(dumps.length * ROUNDS, ms) };
}

const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}% (${n}/${d})` : 'n/a');

async function main(): Promise<void> {
  print(header('ui-detection: consent / permission / pop-up detectors on labelled UI dumps', benchCommand(import.meta.url)));
  const corpora: [string, LabelledDump[]][] = [['committed (lab/corpora/ui-dumps)', loadLabelledDumps(join(PACKAGE_ROOT, 'lab/corpora/ui-dumps/dumps'), join(PACKAGE_ROOT, 'lab/corpora/ui-dumps/labels'))]];
  if (existsSync(join(RESEARCH, 'labels'))) corpora.push([`real, local, not committed (${RESEARCH})`, loadLabelledDumps(join(RESEARCH, 'raw'), join(RESEARCH, 'labels'))]);
  else print(`(no real dumps at ${RESEARCH}: committed corpus only)\n`);
  const rows: Row[] = [];
  for (const [name, dumps] of corpora) {
    rows.push(await measure(name, dumps, 'consentry detectors', consentryDetector));
    rows.push(await measure(name, dumps, 'naive text matcher', naiveDetector));
  }
  print(
    markdownTable(
      ['corpus', 'tool', 'dialogs found (right bounds)', 'false consent/permission on negatives', 'pop-up close right', 'dumps/s'],
      rows.map((r) => [r.corpus, r.tool, pct(r.score.found, r.score.dialogs), pct(r.score.falseDetections, r.score.negatives), r.score.popupChecks > 0 ? pct(r.score.popupOk, r.score.popupChecks) : 'not checked', r.dumpsPerSecond]),
      ['left', 'left', 'right', 'right', 'right', 'right'],
    ),
  );
  print();
  for (const r of rows.filter((x) => x.tool === 'consentry detectors')) {
    const misses = r.score.dumps.filter((s) => s.found === false || s.falseDetection !== undefined || s.popupOk === false);
    for (const m of misses) print(`miss [${r.corpus}] ${m.id}: ${m.falseDetection ?? m.detail}`);
  }
  const ours = rows.find((r) => r.tool === 'consentry detectors')!;
  const peer = rows.find((r) => r.tool === 'naive text matcher')!;
  print(ratioLine({ metric: 'dialogs found, committed corpus', ours: ours.score.found, peer: peer.score.found, peerName: 'naive text matcher' }));
  // Correctness check of this benchmark: the committed corpus must hold the test's bar.
  if (ours.score.found / ours.score.dialogs < 0.95 || ours.score.falseDetections > 0) {
    print('MISMATCH: the committed corpus is below the 95% / no-false-detection bar of lab/corpora/ui-detection.test.ts');
    process.exitCode = 1;
  }
}

await main();

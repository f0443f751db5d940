/**
 * Policy extraction (issue #20): micro precision/recall of the declared data types and of the
 * SDKs, negations found (and negated types reported as collected), and documents/s of
 * `consentry policy FILE` over hand-labelled policies.
 *
 * Peer in the same run: a plain keyword grep over the same files. It searches each file's raw
 * text (markup included, as `grep -F` would) for the policy lexicon's own data-type terms and the
 * SDK catalogue's names and aliases, and reports every hit as declared: the same vocabulary as
 * consentry, without sentences, tables, umbrella rules or negations. It shows what reading the
 * text buys over the vocabulary alone (precision, negations) and what it costs (documents/s).
 *
 * Corpora: the committed one (lab/corpora/policies), and, when present on this machine, the real
 * documents a research helper gathered (/work/research/policies and /work/research/policies-en:
 * local, not committed; override with CONSENTRY_POLICIES_ZH / CONSENTRY_POLICIES_EN).
 *
 *   npm run bench -- policy [--rounds 5] [--quick] [--write-floors]
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { DataTypeId } from '../../product/contracts/data-types.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { emptyDeclarations, type Declarations } from '../../product/judge/policy/index.js';
import { consentryExtractor, describeMisses, loadLabelledPolicies, precision, recall, scoreCorpus, type CorpusScore, type Extractor, type LabelledPolicy } from '../../lab/corpora/score-policy.js';
import { loadPolicyFloors, writePolicyFloors } from '../../lab/corpora/policies/floors.js';
import { benchCommand, header, markdownTable, print, ratioLine } from './lib/report.js';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, quick: { type: 'boolean' }, 'write-floors': { type: 'boolean' } }, strict: false });
const ROUNDS = flags.quick ? 1 : Math.max(1, Number(flags.rounds));
const RESEARCH: [string, string][] = [
  ['real zh, local, not committed', process.env.CONSENTRY_POLICIES_ZH ?? '/work/research/policies'],
  ['real en, local, not committed', process.env.CONSENTRY_POLICIES_EN ?? '/work/research/policies-en'],
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Chinese terms as substrings, Latin ones on word boundaries, case-insensitive: what grep -F(-w) -i does. */
const termPattern = (terms: string[]) => {
  const cjk = terms.filter((t) => /[\u3400-\u9fff]/u.test(t)).map(escape);
  const latin = terms.filter((t) => !/[\u3400-\u9fff]/u.test(t)).map(escape);
  const parts = [...(cjk.length ? [`(?:${cjk.join('|')})`] : []), ...(latin.length ? [`(?<![\\p{L}\\p{N}])(?:${latin.join('|')})(?![\\p{L}\\p{N}])`] : [])];
  return parts.length ? new RegExp(parts.join('|'), 'iu') : undefined;
};

/** The keyword-grep peer: the lexicon's data-type terms and the catalogue's SDK names, anywhere in the file. */
function keywordGrep(): Extractor {
  const lexicon = parseYaml(readFileSync(join(PACKAGE_ROOT, 'product/evidence/catalogue/policy-lexicon.yaml'), 'utf8')) as { dataTypes: Record<string, { zh?: string[]; en?: string[] }> };
  const types = Object.entries(lexicon.dataTypes).flatMap(([id, t]) => {
    const parsed = DataTypeId.safeParse(id);
    const re = termPattern([...(t.zh ?? []), ...(t.en ?? [])]);
    return parsed.success && re ? [{ id: parsed.data, re }] : [];
  });
  const catalogue = parseYaml(readFileSync(join(PACKAGE_ROOT, 'product/evidence/catalogue/sdks.yaml'), 'utf8')) as { id: string; name: string; aliases?: string[]; category?: string }[];
  const sdks = catalogue.filter((s) => s.category !== 'library').flatMap((s) => {
    const re = termPattern([s.name, ...(s.aliases ?? [])]);
    return re ? [{ id: s.id, name: s.name, re }] : [];
  });
  return (file) => {
    const text = readFileSync(file, 'utf8');
    const decl: Declarations = emptyDeclarations();
    const evidence = { source: 'policy-text' as const, text: '(keyword grep)' };
    for (const t of types) if (t.re.test(text)) decl.dataTypes.push({ dataType: t.id, term: t.id, specific: true, purposes: [], background: false, evidence });
    for (const s of sdks) if (s.re.test(text)) decl.sdks.push({ id: s.id, name: s.name, purposes: [], dataTypes: [], evidence });
    return decl;
  };
}

interface Row {
  corpus: string;
  tool: string;
  docs: number;
  score: CorpusScore;
}

const pct = (n: number, d: number) => (d > 0 ? `${((100 * n) / d).toFixed(1)}% (${n}/${d})` : 'n/a');
const pr = (c: CorpusScore['types']) => `${precision(c).toFixed(3)} / ${recall(c).toFixed(3)}`;

function main(): void {
  print(header('policy: data types, SDKs and negations from labelled privacy policies', benchCommand(import.meta.url)));
  const committed = join(PACKAGE_ROOT, 'lab/corpora/policies');
  const corpora: [string, LabelledPolicy[]][] = [['committed (lab/corpora/policies)', loadLabelledPolicies(join(committed, 'documents'), join(committed, 'labels'))]];
  for (const [name, dir] of RESEARCH) {
    if (existsSync(join(dir, 'labels'))) corpora.push([`${name} (${dir})`, loadLabelledPolicies(join(dir, 'raw'), join(dir, 'labels'))]);
    else print(`(no real documents at ${dir}: skipped)\n`);
  }
  const ours = consentryExtractor();
  const peer = keywordGrep();
  const rows: Row[] = [];
  for (const [name, docs] of corpora) {
    rows.push({ corpus: name, tool: 'consentry policy', docs: docs.length, score: scoreCorpus(docs, ours, ROUNDS) });
    rows.push({ corpus: name, tool: 'keyword grep', docs: docs.length, score: scoreCorpus(docs, peer, ROUNDS) });
  }
  print(
    markdownTable(
      ['corpus', 'tool', 'docs', 'data types P / R', 'SDKs P / R', 'negations found', 'negated but declared', 'docs/s'],
      rows.map((r) => [r.corpus, r.tool, r.docs, pr(r.score.types), pr(r.score.sdks), pct(r.score.negations.found, r.score.negations.labelled), r.score.reportedAsCollected, r.score.documentsPerSecond]),
      ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
    ),
  );
  print(`\n(${ROUNDS} round${ROUNDS === 1 ? '' : 's'} per corpus and tool for docs/s; scores from the first round)\n`);
  for (const r of rows.filter((x) => x.tool === 'consentry policy')) {
    for (const d of r.score.documents) {
      const miss = describeMisses(d);
      if (miss) print(`miss [${r.corpus.split(' (')[0]}] ${miss}`);
    }
  }
  const [ourRow, peerRow] = rows as [Row, Row];
  print();
  print(ratioLine({ metric: 'data-type precision, committed corpus', ours: precision(ourRow.score.types), peer: precision(peerRow.score.types), peerName: 'keyword grep' }));
  print(ratioLine({ metric: 'data-type recall, committed corpus', ours: recall(ourRow.score.types), peer: recall(peerRow.score.types), peerName: 'keyword grep' }));
  print(ratioLine({ metric: 'documents/s, committed corpus', ours: ourRow.score.documentsPerSecond, peer: peerRow.score.documentsPerSecond, peerName: 'keyword grep' }));
  print('targets (issue #20): data types P/R ≥ 0.95, SDKs ≥ 0.90, negations ≥ 90% with none declared');

  if (flags['write-floors']) {
    writePolicyFloors(ourRow.score);
    print('floors written to lab/corpora/policies/floors.yaml from this measurement');
  }
  // Correctness check of this benchmark: the committed corpus must hold the floors of lab/corpora/policy-corpus.test.ts.
  const floors = loadPolicyFloors().micro;
  const s = ourRow.score;
  const below = [
    precision(s.types) < floors.typesPrecision && 'data-type precision',
    recall(s.types) < floors.typesRecall && 'data-type recall',
    precision(s.sdks) < floors.sdksPrecision && 'SDK precision',
    recall(s.sdks) < floors.sdksRecall && 'SDK recall',
    s.negations.found / Math.max(1, s.negations.labelled) < floors.negationsFound && 'negations found',
    s.reportedAsCollected > floors.reportedAsCollectedMax && 'negated but declared',
  ].filter(Boolean);
  if (below.length) {
    print(`MISMATCH: the committed corpus is below the floors of lab/corpora/policies/floors.yaml: ${below.join(', ')}`);
    process.exitCode = 1;
  }
}

main();

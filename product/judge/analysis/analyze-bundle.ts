import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import { readBundle, type Bundle } from '../../evidence/bundle/reader.js';
import { BUNDLE_FILES, BUNDLE_SCHEMA_VERSION, FindingsDoc } from '../../contracts/bundle-schema.js';
import { loadSdkCatalogue, type SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import type { Config } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { packageVersion } from '../../core/paths.js';
import { Declarations } from '../policy/declarations.js';
import { resolveRules, runRules, type ResolvedRule } from './engine.js';
import { observe, type Observations } from './observations.js';
import { loadRuleSets, RuleSetId, type RuleSets } from './rule-sets.js';
import { Timeline } from './timeline.js';
import { coverageReasons, decideVerdict, staticCaveats } from './verdict.js';

export interface AnalyzeOptions {
  /** Overrides the rule set the run recorded and the config's. */
  ruleSet?: RuleSetId;
  /** The config's fallback rule set (used when neither the option nor the bundle names one). */
  defaultRuleSet?: RuleSetId;
  overrides?: Config['rules'];
  configFile?: string;
  /** Declarations to judge against; when absent, the bundle's declarations.json is used if present. */
  declarations?: Declarations;
  /** Fix the timestamp for reproducible output (tests, re-analysis); defaults to now. */
  analysedAt?: number;
  /** Write findings.json into the bundle (default true). */
  write?: boolean;
  /** Skip damaged records instead of failing. */
  lenient?: boolean;
  catalogue?: SdkCatalogue;
  ruleSets?: RuleSets;
  logger?: Logger;
}

export interface AnalysisResult {
  doc: FindingsDoc;
  declarations: Declarations | undefined;
  declarationsFrom: 'given' | 'bundle' | 'none';
  observations: Observations;
  rules: ResolvedRule[];
  /** Path of the findings.json written, if any. */
  written?: string;
}

/**
 * Judges a bundle: the library entry point the pipeline and `consentry analyze` share. Reads the
 * bundle and nothing else (plus declarations given by the caller), so an old bundle from another
 * machine can be re-judged with today's rules or a new policy. Same inputs, same findings.json
 * (apart from `analysedAt`, which the caller can fix).
 */
export async function analyzeBundle(source: string | Bundle, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const bundle = typeof source === 'string' ? await readBundle(source, { strict: !options.lenient }) : source;
  const catalogue = options.catalogue ?? loadSdkCatalogue();
  const ruleSet = options.ruleSet ?? parseRuleSet(bundle.run.ruleSet) ?? options.defaultRuleSet ?? 'cn-miit';
  const rules = resolveRules({
    ruleSet,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.configFile ? { configFile: options.configFile } : {}),
    ...(options.ruleSets ? { ruleSets: options.ruleSets } : {}),
  });
  const { declarations, from } = options.declarations ? { declarations: options.declarations, from: 'given' as const } : readBundleDeclarations(bundle.dir);
  const timeline = new Timeline(bundle.markers, bundle.run);
  const observations = observe(bundle, timeline, catalogue);
  const wording = (options.ruleSets ?? loadRuleSets())[ruleSet].wording;
  const staticFacts = readStaticFacts(bundle.dir, options.logger);
  const run = runRules(
    {
      bundle,
      declarations,
      observations,
      timeline,
      catalogue,
      wording,
      uiTrees: loadUiTrees(bundle),
      staticFacts,
    },
    rules,
  );
  const reasons = coverageReasons(bundle, run.notJudged);
  if (bundle.problems.length > 0) reasons.push(`${bundle.problems.length} damaged record(s) were skipped`);
  const doc = FindingsDoc.parse({
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    runId: bundle.run.runId,
    analysedAt: options.analysedAt ?? Date.now(),
    consentryVersion: packageVersion(),
    ruleSet,
    verdict: decideVerdict(run.findings, reasons),
    // Static caveats (a packed app) are notes after the verdict is decided: they never make it inconclusive.
    reasons: [...reasons, ...staticCaveats(staticFacts)],
    findings: run.findings,
  });
  let written: string | undefined;
  if (options.write !== false) {
    written = join(bundle.dir, BUNDLE_FILES.findings);
    const tmp = `${written}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, written);
  }
  options.logger?.debug({ bundle: bundle.dir, verdict: doc.verdict, findings: doc.findings.length }, 'analysed bundle');
  return { doc, declarations, declarationsFrom: from, observations, rules, ...(written ? { written } : {}) };
}

function parseRuleSet(value: string | undefined): RuleSetId | undefined {
  const parsed = RuleSetId.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function readBundleDeclarations(dir: string): { declarations: Declarations | undefined; from: 'bundle' | 'none' } {
  const file = join(dir, BUNDLE_FILES.declarations);
  if (!existsSync(file)) return { declarations: undefined, from: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InputError('BUNDLE_DAMAGED', `not valid JSON: ${(cause as Error).message}`, { file, cause });
  }
  const parsed = Declarations.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError('BUNDLE_DAMAGED', `${issue.message} in the declarations`, { file, field: issue.path.join('.') || '(top level)' });
  }
  return { declarations: parsed.data, from: 'bundle' };
}

/** UI trees the rules may read: those of snapshots a marker points at. Paths stay inside the bundle. */
function loadUiTrees(bundle: Pick<Bundle, 'dir' | 'markers' | 'ui'>): Map<string, string> {
  const wanted = new Set(bundle.markers.flatMap((m) => (m.ui ? [m.ui] : [])));
  const trees = new Map<string, string>();
  for (const snap of bundle.ui) {
    if (!wanted.has(snap.id) || !snap.tree) continue;
    const rel = normalize(snap.tree);
    if (isAbsolute(rel) || rel.startsWith('..')) continue;
    const file = join(bundle.dir, rel);
    if (existsSync(file)) trees.set(snap.id, readFileSync(file, 'utf8'));
  }
  return trees;
}

function readStaticFacts(dir: string, logger: Logger | undefined): unknown {
  const file = join(dir, BUNDLE_FILES.staticFacts);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (err) {
    logger?.warn({ file, err }, 'static.json is not valid JSON; INTEGRITY-REPACKAGED cannot judge');
    return undefined;
  }
}

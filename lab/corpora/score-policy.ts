import { readdirSync, readFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DataTypeId } from '../../product/contracts/data-types.js';
import { InputError } from '../../product/core/errors.js';
import { declaredDataTypes, policyReaders, readPolicyFile, type Declarations } from '../../product/judge/policy/index.js';

/**
 * Scores the policy stage (`consentry policy FILE`) against a folder of hand-labelled policies:
 * the committed corpus in lab/corpora/policies, or the real documents a research helper gathered
 * (local only, never committed). Shared by lab/corpora/policy-corpus.test.ts and
 * tooling/bench/policy.bench.ts so both count the same way. The labelling rules are in
 * lab/corpora/policies/README.md.
 *
 * - Data types: the declared set (`declaredDataTypes`, umbrella terms accepted, as the judge
 *   reads them) against the label's `dataTypes`.
 * - SDKs: a labelled SDK is found when an extracted SDK's catalogue id loosely matches its
 *   `catalogueHint`, or the names loosely match (case, spaces, punctuation and the word "SDK"
 *   ignored; one containing the other counts). An extracted SDK that matches no labelled SDK is
 *   a false positive (so is one the document names only to deny it).
 * - Negations: a labelled negated data type is found when the extraction has a negation of that
 *   type (counted once per document and type); a fully negated type (no `scope`) that the
 *   extraction reports as declared is "reported as collected". A negated SDK is found when a
 *   negation names it, and reported as collected when it appears among the SDKs.
 */

const LabelSdk = z.object({ name: z.string().min(1), catalogueHint: z.string().optional(), dataTypes: z.array(DataTypeId).default([]) }).loose();
const LabelNegation = z
  .object({
    dataType: DataTypeId.optional(),
    /** A negated SDK: its catalogue-style key and the name as written. */
    sdk: z.string().optional(),
    name: z.string().optional(),
    /** Narrower than collection (storage-only, precise-only, …): the type may still be declared. */
    scope: z.string().optional(),
    sentence: z.string().min(1),
  })
  .loose()
  .refine((n) => n.dataType !== undefined || n.sdk !== undefined, 'a negation names a dataType or an sdk');

export const PolicyLabel = z
  .object({
    id: z.string().min(1),
    language: z.enum(['zh-Hans', 'zh-Hant', 'en']),
    kind: z.string().optional(),
    /** The real document (research id, repo, path, commit) a committed document is modelled on. */
    models: z.object({ research: z.string(), repo: z.string(), path: z.string(), commit: z.string() }).loose().optional(),
    dataTypes: z.array(DataTypeId),
    sdks: z.array(LabelSdk).default([]),
    negations: z.array(LabelNegation).default([]),
    notes: z.string().optional(),
  })
  .loose();
export type PolicyLabel = z.infer<typeof PolicyLabel>;

export interface LabelledPolicy {
  id: string;
  file: string;
  label: PolicyLabel;
}

/** Reads `<labelsDir>/<id>.yaml` with the one document `<docsDir>/<id>.<any extension>`; a bad label is an InputError naming it. */
export function loadLabelledPolicies(docsDir: string, labelsDir: string): LabelledPolicy[] {
  const docs = new Map(readdirSync(docsDir).map((f) => [basename(f, extname(f)), join(docsDir, f)]));
  return readdirSync(labelsDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = join(labelsDir, f);
      const parsed = PolicyLabel.safeParse(parseYaml(readFileSync(file, 'utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InputError('CORPUS_LABEL', `expected a policy label: ${issue.message}`, { file, field: issue.path.join('.') });
      }
      const id = basename(f, '.yaml');
      const doc = docs.get(id);
      if (!doc) throw new InputError('CORPUS_LABEL', `no document named ${id}.* beside the label`, { file, field: 'id' });
      return { id, file: doc, label: parsed.data };
    });
}

/** Case, width, spaces, punctuation and the word "sdk" do not distinguish two SDK names. */
export function normaliseSdkName(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/sdk/gu, '')
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const loosely = (a: string, b: string) => a.length >= 2 && b.length >= 2 && (a === b || a.includes(b) || b.includes(a));

/** Whether an extracted SDK (catalogue id and name) is the labelled one. */
export function sdkMatches(label: { name: string; catalogueHint?: string | undefined }, extracted: { id?: string | undefined; name: string }): boolean {
  const hint = label.catalogueHint ? normaliseSdkName(label.catalogueHint) : '';
  if (hint && extracted.id && loosely(hint, normaliseSdkName(extracted.id))) return true;
  const name = normaliseSdkName(extracted.name);
  return loosely(normaliseSdkName(label.name), name) || (hint !== '' && loosely(hint, name));
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}
const ratio = (n: number, d: number) => (d === 0 ? 1 : n / d);
export const precision = (c: Counts) => ratio(c.tp, c.tp + c.fp);
export const recall = (c: Counts) => ratio(c.tp, c.tp + c.fn);

export interface PolicyScore {
  id: string;
  language: PolicyLabel['language'];
  types: Counts;
  sdks: Counts;
  /** Labelled negations (per document and data type or SDK) and how many the extraction has. */
  negations: { labelled: number; found: number };
  /** Fully negated types (or negated SDKs) the extraction reports as declared. */
  reportedAsCollected: string[];
  missedTypes: string[];
  extraTypes: string[];
  missedSdks: string[];
  extraSdks: string[];
  missedNegations: string[];
}

export type Extractor = (file: string) => Declarations;

/** consentry's policy stage, exactly as `consentry policy FILE` reads a file. */
export function consentryExtractor(): Extractor {
  const readers = policyReaders();
  return (file) => readPolicyFile(file, readers);
}

export function scorePolicy(doc: LabelledPolicy, decl: Declarations): PolicyScore {
  const { label } = doc;
  const declared = declaredDataTypes(decl);
  const truth = new Set(label.dataTypes);
  const missedTypes = [...truth].filter((t) => !declared.has(t));
  const extraTypes = [...declared].filter((t) => !truth.has(t));

  // Extracted SDKs, one per catalogue id (or normalised name when not catalogued).
  const extracted = new Map<string, { id?: string | undefined; name: string }>();
  for (const s of decl.sdks) {
    const key = s.id ?? normaliseSdkName(s.name);
    if (!extracted.has(key)) extracted.set(key, { id: s.id, name: s.name });
  }
  const found = label.sdks.filter((l) => [...extracted.values()].some((e) => sdkMatches(l, e)));
  const missedSdks = label.sdks.filter((l) => !found.includes(l)).map((l) => l.name);
  const extraSdks = [...extracted.values()].filter((e) => !label.sdks.some((l) => sdkMatches(l, e))).map((e) => (e.id ? `${e.id} (${e.name})` : e.name));

  // Negations: once per document and type (or SDK).
  const negatedTypes = new Set(decl.negations.flatMap((n) => (n.dataType ? [n.dataType] : [])));
  const wantTypes = new Map<string, boolean>();
  for (const n of label.negations) if (n.dataType) wantTypes.set(n.dataType, (wantTypes.get(n.dataType) ?? false) || n.scope === undefined);
  const missedNegations = [...wantTypes.keys()].filter((t) => !negatedTypes.has(t as DataTypeId));
  const reportedAsCollected = [...wantTypes].filter(([t, full]) => full && declared.has(t as DataTypeId) && !truth.has(t as DataTypeId)).map(([t]) => t);
  const sdkNegations = label.negations.filter((n) => n.sdk !== undefined);
  let sdkNegFound = 0;
  for (const n of sdkNegations) {
    const named = { name: n.name ?? n.sdk!, catalogueHint: n.sdk };
    if (decl.negations.some((x) => x.sdk !== undefined && sdkMatches(named, { id: x.sdk, name: x.term }))) sdkNegFound += 1;
    else missedNegations.push(`sdk ${named.name}`);
    if ([...extracted.values()].some((e) => sdkMatches(named, e))) reportedAsCollected.push(`sdk ${named.name}`);
  }

  return {
    id: doc.id,
    language: label.language,
    types: { tp: truth.size - missedTypes.length, fp: extraTypes.length, fn: missedTypes.length },
    sdks: { tp: found.length, fp: extraSdks.length, fn: missedSdks.length },
    negations: { labelled: wantTypes.size + sdkNegations.length, found: wantTypes.size - missedNegations.filter((m) => !m.startsWith('sdk ')).length + sdkNegFound },
    reportedAsCollected,
    missedTypes,
    extraTypes,
    missedSdks,
    extraSdks,
    missedNegations,
  };
}

export interface CorpusScore {
  documents: PolicyScore[];
  types: Counts;
  sdks: Counts;
  negations: { labelled: number; found: number };
  reportedAsCollected: number;
  /** Wall time of the extraction alone (all documents, `rounds` times), and documents per second. */
  ms: number;
  documentsPerSecond: number;
}

const add = (a: Counts, b: Counts): Counts => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, fn: a.fn + b.fn });

/** Runs the extractor on every document (`rounds` times for the speed figure) and scores the first round. */
export function scoreCorpus(corpus: LabelledPolicy[], extract: Extractor = consentryExtractor(), rounds = 1): CorpusScore {
  const start = process.hrtime.bigint();
  let decls: Declarations[] = [];
  for (let r = 0; r < Math.max(1, rounds); r += 1) {
    const out = corpus.map((d) => extract(d.file));
    if (r === 0) decls = out;
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const documents = corpus.map((d, i) => scorePolicy(d, decls[i]!));
  const zero = { tp: 0, fp: 0, fn: 0 };
  return {
    documents,
    types: documents.reduce((c, d) => add(c, d.types), zero),
    sdks: documents.reduce((c, d) => add(c, d.sdks), zero),
    negations: documents.reduce((c, d) => ({ labelled: c.labelled + d.negations.labelled, found: c.found + d.negations.found }), { labelled: 0, found: 0 }),
    reportedAsCollected: documents.reduce((n, d) => n + d.reportedAsCollected.length, 0),
    ms,
    documentsPerSecond: ms > 0 ? (corpus.length * Math.max(1, rounds) * 1000) / ms : 0,
  };
}

/** One line per document that is not perfect, for test messages and the benchmark. */
export function describeMisses(score: PolicyScore): string | undefined {
  const parts: string[] = [];
  if (score.missedTypes.length) parts.push(`missed types ${score.missedTypes.join(',')}`);
  if (score.extraTypes.length) parts.push(`extra types ${score.extraTypes.join(',')}`);
  if (score.missedSdks.length) parts.push(`missed SDKs ${score.missedSdks.join(', ')}`);
  if (score.extraSdks.length) parts.push(`extra SDKs ${score.extraSdks.join(', ')}`);
  if (score.missedNegations.length) parts.push(`missed negations ${score.missedNegations.join(',')}`);
  if (score.reportedAsCollected.length) parts.push(`NEGATED BUT DECLARED ${score.reportedAsCollected.join(',')}`);
  return parts.length ? `${score.id}: ${parts.join('; ')}` : undefined;
}

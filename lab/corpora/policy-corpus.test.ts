import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeMisses, loadLabelledPolicies, precision, recall, scoreCorpus, type LabelledPolicy } from './score-policy.js';
import { loadPolicyFloors } from './policies/floors.js';

/**
 * The policy corpus (lab/corpora/policies, see its README): privacy policies and SDK lists
 * written in our own words, each modelled on one real document (zh-Hans, zh-Hant, en; Markdown,
 * HTML, plain text; SDK tables; negations of the kinds real policies use). The policy stage must
 * hold the floors of policies/floors.yaml, per document and over the corpus: the level the
 * extraction reached when they were set, so any regression fails here. The targets
 * (data types P/R ≥ 0.95, SDKs ≥ 0.90, negations ≥ 90%, none declared) are above some floors.
 */
const DIR = join(import.meta.dirname, 'policies');
const corpus = loadLabelledPolicies(join(DIR, 'documents'), join(DIR, 'labels'));
const floors = loadPolicyFloors();

describe('policy corpus', () => {
  it('covers the languages, formats and negation kinds it claims, each document naming the real one it models', () => {
    const count = (f: (d: LabelledPolicy) => boolean) => corpus.filter(f).length;
    expect(corpus.length).toBeGreaterThanOrEqual(30);
    expect(count((d) => d.label.language === 'zh-Hans')).toBeGreaterThanOrEqual(10);
    expect(count((d) => d.label.language === 'zh-Hant')).toBeGreaterThanOrEqual(5);
    expect(count((d) => d.label.language === 'en')).toBeGreaterThanOrEqual(10);
    expect(count((d) => d.file.endsWith('.html'))).toBeGreaterThan(0);
    expect(count((d) => d.label.kind === 'sdk-list')).toBeGreaterThanOrEqual(3);
    expect(count((d) => d.label.negations.length > 0)).toBeGreaterThanOrEqual(8);
    expect(count((d) => d.label.negations.some((n) => n.sdk !== undefined))).toBeGreaterThan(0);
    expect(count((d) => d.label.negations.some((n) => n.scope === 'storage-only'))).toBeGreaterThan(0);
    for (const d of corpus) {
      expect(d.label.models?.repo, d.id).toMatch(/\//);
      expect(d.label.id, d.id).toBe(d.id);
      for (const s of d.label.sdks) for (const t of s.dataTypes) expect(d.label.dataTypes, `${d.id} ${s.name}`).toContain(t);
    }
  });

  const score = scoreCorpus(corpus);
  const misses = score.documents.map(describeMisses).filter((m) => m !== undefined).join('\n');

  it('has a floor for every document and no floor without a document', () => {
    expect(Object.keys(floors.documents).sort()).toEqual(corpus.map((d) => d.id).sort());
  });

  it('holds every document at its floor', () => {
    const below: string[] = [];
    for (const d of score.documents) {
      const f = floors.documents[d.id];
      if (!f) continue;
      const checks: [string, number, number][] = [
        ['data-type precision', precision(d.types), f.typesPrecision],
        ['data-type recall', recall(d.types), f.typesRecall],
        ['SDK precision', precision(d.sdks), f.sdksPrecision],
        ['SDK recall', recall(d.sdks), f.sdksRecall],
        ['negations found', d.negations.found, f.negationsFound],
        ['negated but declared (fewer is better)', -d.reportedAsCollected.length, -f.reportedAsCollectedMax],
      ];
      for (const [what, got, floor] of checks) if (got < floor - 1e-9) below.push(`${d.id}: ${what} ${got} < ${floor} (${describeMisses(d) ?? ''})`);
    }
    expect(below).toEqual([]);
  });

  it('holds the corpus-wide (micro) floors for data types, SDKs and negations', () => {
    const m = floors.micro;
    expect(precision(score.types), misses).toBeGreaterThanOrEqual(m.typesPrecision);
    expect(recall(score.types), misses).toBeGreaterThanOrEqual(m.typesRecall);
    expect(precision(score.sdks), misses).toBeGreaterThanOrEqual(m.sdksPrecision);
    expect(recall(score.sdks), misses).toBeGreaterThanOrEqual(m.sdksRecall);
    expect(score.negations.found / score.negations.labelled, misses).toBeGreaterThanOrEqual(m.negationsFound);
    expect(score.reportedAsCollected, misses).toBeLessThanOrEqual(m.reportedAsCollectedMax);
  });
});

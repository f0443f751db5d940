import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError } from '../../../product/core/errors.js';
import { precision, recall, type CorpusScore } from '../score-policy.js';

/**
 * The floors the policy corpus must hold (floors.yaml): what the extraction achieved when they
 * were last set, rounded down a little, so that a regression fails lab/corpora/policy-corpus.test.ts
 * and the benchmark's correctness check. Raise them when the extraction improves.
 */
const share = z.number().min(0).max(1);
export const PolicyFloors = z.object({
  measuredOn: z.string(),
  micro: z.object({
    typesPrecision: share,
    typesRecall: share,
    sdksPrecision: share,
    sdksRecall: share,
    negationsFound: share,
    reportedAsCollectedMax: z.number().int().nonnegative(),
  }),
  documents: z.record(
    z.string(),
    z.object({
      typesPrecision: share,
      typesRecall: share,
      sdksPrecision: share,
      sdksRecall: share,
      negationsFound: z.number().int().nonnegative(),
      reportedAsCollectedMax: z.number().int().nonnegative(),
    }),
  ),
});
export type PolicyFloors = z.infer<typeof PolicyFloors>;

export const POLICY_FLOORS_FILE = join(import.meta.dirname, 'floors.yaml');

export function loadPolicyFloors(file = POLICY_FLOORS_FILE): PolicyFloors {
  const parsed = PolicyFloors.safeParse(parseYaml(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError('CORPUS_LABEL', `expected policy floors: ${issue.message}`, { file, field: issue.path.join('.') });
  }
  return parsed.data;
}

/**
 * Floors from a measurement: per document each share floored to 0.05, micro shares the measured
 * value minus 0.01 floored to 0.01, counts as measured. `npm run bench -- policy --write-floors`.
 */
export function writePolicyFloors(score: CorpusScore, file = POLICY_FLOORS_FILE): void {
  const step = (x: number) => Math.floor(x * 20 + 1e-9) / 20;
  const micro = (x: number) => Math.max(0, Math.floor((x - 0.01) * 100 + 1e-9) / 100);
  const negShare = score.negations.labelled ? score.negations.found / score.negations.labelled : 1;
  const out = [
    '# Written by `npm run bench -- policy --write-floors` from a measurement of the extraction (floors.ts):',
    '# per document, shares floored to 0.05; micro, measured minus 0.01 floored to 0.01.',
    `measuredOn: "${new Date().toISOString().slice(0, 10)}"`,
    'micro:',
    `  typesPrecision: ${micro(precision(score.types))}`,
    `  typesRecall: ${micro(recall(score.types))}`,
    `  sdksPrecision: ${micro(precision(score.sdks))}`,
    `  sdksRecall: ${micro(recall(score.sdks))}`,
    `  negationsFound: ${micro(negShare)}`,
    `  reportedAsCollectedMax: ${score.reportedAsCollected}`,
    'documents:',
    ...score.documents.map(
      (d) =>
        `  ${d.id}: {typesPrecision: ${step(precision(d.types))}, typesRecall: ${step(recall(d.types))}, sdksPrecision: ${step(precision(d.sdks))}, sdksRecall: ${step(recall(d.sdks))}, negationsFound: ${d.negations.found}, reportedAsCollectedMax: ${d.reportedAsCollected.length}}`,
    ),
  ];
  writeFileSync(file, `${out.join('\n')}\n`);
}

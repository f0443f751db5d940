import { join } from 'node:path';
import { z } from 'zod';
import { builtIn } from '../../core/paths.js';
import { loadValidatedFile } from '../../core/validated-file.js';

import { RULE_SET_IDS } from '../../contracts/bundle-schema.js';

export { RULE_SET_IDS };
export const RuleSetId = z.enum(RULE_SET_IDS);
export type RuleSetId = z.infer<typeof RuleSetId>;

export const Wording = z
  .object({
    beforeConsent: z.string().min(1),
    afterRefusal: z.string().min(1),
    consentDialog: z.string().min(1),
  })
  .strict();
export type Wording = z.infer<typeof Wording>;

export const RuleSetRule = z
  .object({
    sources: z.array(z.string().min(1)).min(1),
    title: z.string().optional(),
    /** Where a number is practice rather than law, say so. */
    note: z.string().optional(),
  })
  .strict();

export const RuleSetDef = z
  .object({
    title: z.string(),
    wording: Wording,
    citations: z.record(z.string(), z.string()),
    rules: z.record(z.string().regex(/^[A-Z]+(?:-[A-Z]+)+$/, 'expected a rule id like CONSENT-PRE-COLLECT'), RuleSetRule),
  })
  .strict()
  .superRefine((set, ctx) => {
    // Every citation must resolve to a known source: a typo must not become an invented clause.
    for (const [id, rule] of Object.entries(set.rules)) {
      rule.sources.forEach((src, i) => {
        const known = Object.keys(set.citations).some((c) => src === c || src.startsWith(`${c} `));
        if (!known) ctx.addIssue({ code: 'custom', path: ['rules', id, 'sources', i], message: `"${src}" does not start with a source listed under citations` });
      });
    }
  });
export type RuleSetDef = z.infer<typeof RuleSetDef>;

export const RuleSetsFile = z.record(RuleSetId, RuleSetDef);
export type RuleSets = Record<RuleSetId, RuleSetDef>;

export const DEFAULT_RULE_SETS_FILE = join(builtIn.catalogue, 'rule-sets.yaml');
let cached: RuleSets | undefined;

export function loadRuleSets(file = DEFAULT_RULE_SETS_FILE): RuleSets {
  if (file === DEFAULT_RULE_SETS_FILE && cached) return cached;
  const sets = loadValidatedFile(file, RuleSetsFile, 'rule sets') as RuleSets;
  if (file === DEFAULT_RULE_SETS_FILE) cached = sets;
  return sets;
}

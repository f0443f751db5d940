import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { loadRuleSets, RULE_SET_IDS } from './rule-sets.js';
import { ALL_RULES } from './rules/index.js';

/**
 * Keeps the rule catalogue honest. The project's own catalogue (ids, severities, sources) is
 * product/evidence/catalogue/rule-catalogue.yaml, in the repository: every rule listed there has a module
 * with matching `meta`, a test beside it and a doc line in rules/README.md. A plain clone needs
 * nothing else. Where the steering copy of the catalogue sits beside the repository
 * (../shared/rules.md, or CONSENTRY_RULES_MD), a second suite checks that the two list the same
 * rules; where it is absent that suite is skipped, whatever CI says.
 */
const RULES_DIR = join(PACKAGE_ROOT, 'product', 'judge', 'analysis', 'rules');
const OWN_CATALOGUE = join(PACKAGE_ROOT, 'product', 'evidence', 'catalogue', 'rule-catalogue.yaml');
const STEERING_RULES_MD = process.env.CONSENTRY_RULES_MD ?? join(PACKAGE_ROOT, '..', 'shared', 'rules.md');

const RuleCatalogue = z.object({
  sources: z.record(z.string(), z.string()),
  rules: z.array(z.object({ id: z.string(), severity: z.enum(['high', 'medium', 'low']), sources: z.array(z.string()).min(1) })),
});

function ownCatalogue(): z.infer<typeof RuleCatalogue> {
  return RuleCatalogue.parse(parse(readFileSync(OWN_CATALOGUE, 'utf8')));
}

/** Rule ids in the rules table of a markdown catalogue (first column, `WORD-WORD` ids). */
function markdownRuleIds(file: string): string[] {
  const ids: string[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\|\s*([A-Z]+(?:-[A-Z]+)+)\s*\|/.exec(line);
    if (m) ids.push(m[1]!);
  }
  return ids;
}

describe('rule catalogue (in the repository)', () => {
  const catalogue = ownCatalogue();
  const fileOf = (id: string) => id.toLowerCase();

  it('lists every rule consentry ships, in the order `consentry rules` prints them', () => {
    expect(catalogue.rules.map((r) => r.id)).toEqual(ALL_RULES.map((r) => r.meta.id));
  });

  it.each(catalogue.rules.map((r) => [r.id, r] as const))('%s has a module agreeing with the catalogue, a test and a doc line', (id, entry) => {
    const rule = ALL_RULES.find((r) => r.meta.id === id);
    expect(rule, id).toBeDefined();
    expect(rule!.meta.severity).toBe(entry.severity);
    expect([...rule!.meta.sources]).toEqual(entry.sources);
    expect(existsSync(join(RULES_DIR, `${fileOf(id)}.ts`)), `${fileOf(id)}.ts`).toBe(true);
    expect(existsSync(join(RULES_DIR, `${fileOf(id)}.test.ts`)), `${fileOf(id)}.test.ts`).toBe(true);
    expect(readFileSync(join(RULES_DIR, 'README.md'), 'utf8')).toMatch(new RegExp(`^\\| ${id} \\|`, 'm'));
  });

  it('cites only sources it names', () => {
    const named = Object.keys(catalogue.sources);
    for (const r of catalogue.rules) for (const s of r.sources) expect(named.some((n) => s === n || s.startsWith(`${n} `)), `${r.id}: ${s}`).toBe(true);
  });

  it('every rule set names existing rules, and every rule is in some rule set', () => {
    const sets = loadRuleSets();
    const all = ALL_RULES.map((r) => r.meta.id);
    for (const set of RULE_SET_IDS) for (const id of Object.keys(sets[set].rules)) expect(all).toContain(id);
    for (const id of all) expect(RULE_SET_IDS.some((s) => sets[s].rules[id]), id).toBe(true);
  });

  it('severities: high for CONSENT-*, undeclared SDK/recipient, bypass, repackaging, kids', () => {
    const high = (id: string) => /^CONSENT-|^SCOPE-UNDECLARED-(SDK|RECIPIENT)$|^PERM-BYPASS$|^INTEGRITY-REPACKAGED$|^KIDS-IDENTIFIERS$/.test(id);
    for (const r of catalogue.rules) expect(r.severity, r.id).toBe(high(r.id) ? 'high' : 'medium');
  });
});

// Only where the steering copy exists: a plain clone, a fork or a user's CI has none, and must pass.
describe.skipIf(!existsSync(STEERING_RULES_MD))('rule catalogue (against the steering copy beside the repository)', () => {
  it('lists the same rules as the steering copy', () => {
    const ids = markdownRuleIds(STEERING_RULES_MD);
    expect(ids.length).toBeGreaterThan(20);
    expect(ownCatalogue().rules.map((r) => r.id)).toEqual(ids);
  });
});

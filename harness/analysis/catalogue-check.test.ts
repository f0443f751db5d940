import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../core/paths.js';
import { loadRuleSets, RULE_SET_IDS } from './rule-sets.js';
import { ALL_RULES } from './rules/index.js';

/**
 * The CI check that keeps the rule catalogue honest: every rule id in ../shared/rules.md has a
 * module with `meta`, a test beside it and a doc line in rules/README.md, and the rule sets name
 * only rules that exist. In CI the shared folder sits beside the repository ($REPO/../shared).
 */
const RULES_MD = process.env.CONSENTRY_RULES_MD ?? join(PACKAGE_ROOT, '..', 'shared', 'rules.md');
const RULES_DIR = join(PACKAGE_ROOT, 'harness', 'analysis', 'rules');

function catalogueIds(): string[] {
  const ids: string[] = [];
  for (const line of readFileSync(RULES_MD, 'utf8').split('\n')) {
    const m = /^\|\s*([A-Z]+(?:-[A-Z]+)+)\s*\|/.exec(line);
    if (m) ids.push(m[1]!);
  }
  return ids;
}

// Outside CI a checkout without the shared folder skips; in CI a missing catalogue fails.
describe.runIf(existsSync(RULES_MD) || Boolean(process.env.CI))('rule catalogue', () => {
  const ids = catalogueIds();
  const fileOf = (id: string) => id.toLowerCase();

  it('parses the rules table of ../shared/rules.md', () => {
    expect(ids.length).toBeGreaterThan(20);
  });

  it.each(ids)('%s has a module, a test and a doc line', (id) => {
    expect(ALL_RULES.map((r) => r.meta.id)).toContain(id);
    expect(existsSync(join(RULES_DIR, `${fileOf(id)}.ts`)), `${fileOf(id)}.ts`).toBe(true);
    expect(existsSync(join(RULES_DIR, `${fileOf(id)}.test.ts`)), `${fileOf(id)}.test.ts`).toBe(true);
    expect(readFileSync(join(RULES_DIR, 'README.md'), 'utf8')).toMatch(new RegExp(`^\\| ${id} \\|`, 'm'));
  });

  it('has no rule the catalogue does not list', () => {
    expect(ALL_RULES.map((r) => r.meta.id).filter((id) => !ids.includes(id))).toEqual([]);
  });

  it('every rule set names existing rules, and every rule is in some rule set', () => {
    const sets = loadRuleSets();
    const all = ALL_RULES.map((r) => r.meta.id);
    for (const set of RULE_SET_IDS) for (const id of Object.keys(sets[set].rules)) expect(all).toContain(id);
    for (const id of all) expect(RULE_SET_IDS.some((s) => sets[s].rules[id]), id).toBe(true);
  });

  it('severities follow the catalogue: high for CONSENT-*, undeclared SDK/recipient, bypass, repackaging, kids', () => {
    const high = (id: string) => /^CONSENT-|^SCOPE-UNDECLARED-(SDK|RECIPIENT)$|^PERM-BYPASS$|^INTEGRITY-REPACKAGED$|^KIDS-IDENTIFIERS$/.test(id);
    for (const r of ALL_RULES) expect(r.meta.severity, r.meta.id).toBe(high(r.meta.id) ? 'high' : 'medium');
  });
});

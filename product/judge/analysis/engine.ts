import type { Finding, Severity } from '../../contracts/bundle-schema.js';
import type { Config } from '../../core/config.js';
import { InputError } from '../../core/errors.js';
import type { RuleContext, Rule, ThresholdValue } from './rule.js';
import { ALL_RULES } from './rules/index.js';
import { loadRuleSets, type RuleSetId, type RuleSets } from './rule-sets.js';

/** A rule as configured for one analysis: the rule set's citations and the lab's overrides applied. */
export interface ResolvedRule {
  rule: Rule;
  id: string;
  title: string;
  enabled: boolean;
  /** Why it is off: not in the rule set, or disabled in config. */
  disabledBy?: 'rule-set' | 'config';
  severity: Severity;
  sources: string[];
  note?: string;
  thresholds: Record<string, ThresholdValue>;
}

export interface EngineSettings {
  ruleSet: RuleSetId;
  overrides?: Config['rules'];
  /** The config file the overrides came from, for error messages. */
  configFile?: string;
  ruleSets?: RuleSets;
  rules?: readonly Rule[];
}

export const SEVERITY_RANK: Record<Severity, number> = { high: 3, medium: 2, low: 1, info: 0 };

/**
 * Applies the rule set and the config's `rules:` overrides. Unknown rule ids, unknown threshold
 * keys and thresholds of the wrong type are errors that name the config field: a typo must not
 * silently leave a default in force.
 */
export function resolveRules(settings: EngineSettings): ResolvedRule[] {
  const sets = settings.ruleSets ?? loadRuleSets();
  const set = sets[settings.ruleSet];
  const rules = settings.rules ?? ALL_RULES;
  const overrides = settings.overrides ?? {};
  const where = (field: string) => ({ ...(settings.configFile ? { file: settings.configFile } : {}), field });
  for (const id of Object.keys(overrides)) {
    if (!rules.some((r) => r.meta.id === id)) {
      throw new InputError('CONFIG_INVALID', `unknown rule id "${id}": expected one of ${rules.map((r) => r.meta.id).join(', ')}`, where(`rules.${id}`));
    }
  }
  return rules.map((rule) => {
    const { meta } = rule;
    const inSet = set.rules[meta.id];
    const override = overrides[meta.id];
    const thresholds: Record<string, ThresholdValue> = Object.fromEntries(Object.entries(meta.thresholds).map(([k, spec]) => [k, spec.default]));
    for (const [key, value] of Object.entries(override?.thresholds ?? {})) {
      const spec = meta.thresholds[key];
      if (!spec && !meta.thresholdPattern?.test(key)) {
        const known = Object.keys(meta.thresholds);
        throw new InputError('CONFIG_INVALID', `unknown threshold for ${meta.id}: expected ${known.length ? known.join(', ') : 'none (this rule has no thresholds)'}`, where(`rules.${meta.id}.thresholds.${key}`));
      }
      const expected = spec ? typeof spec.default : 'number';
      if (typeof value !== expected) {
        throw new InputError('CONFIG_INVALID', `expected a ${expected}, got ${JSON.stringify(value)}`, where(`rules.${meta.id}.thresholds.${key}`));
      }
      thresholds[key] = value;
    }
    const enabled = override?.enabled ?? inSet !== undefined;
    return {
      rule,
      id: meta.id,
      title: inSet?.title ?? meta.title,
      enabled,
      ...(enabled ? {} : { disabledBy: override?.enabled === false ? ('config' as const) : ('rule-set' as const) }),
      severity: override?.severity ?? meta.severity,
      sources: inSet?.sources ?? [...meta.sources],
      ...(inSet?.note ? { note: inSet.note } : {}),
      thresholds,
    };
  });
}

export interface RuleRun {
  findings: Finding[];
  /** Enabled rules that could not judge, and why. */
  notJudged: { id: string; reason: string }[];
}

/** Runs the enabled rules. Findings come out in a stable order, whatever the input order. */
export function runRules(base: Omit<RuleContext, 'thresholds'>, resolved: ResolvedRule[]): RuleRun {
  const findings: Finding[] = [];
  const notJudged: RuleRun['notJudged'] = [];
  for (const r of resolved) {
    if (!r.enabled) continue;
    if (r.rule.meta.needsDeclarations && !base.declarations) {
      notJudged.push({ id: r.id, reason: 'no policy or declared list was given' });
      continue;
    }
    for (const draft of r.rule.check({ ...base, thresholds: r.thresholds })) {
      findings.push({
        ruleId: r.id,
        severity: r.severity,
        statement: draft.statement,
        sources: r.sources,
        dataTypes: draft.dataTypes ?? [],
        ...(draft.sdk ? { sdk: draft.sdk } : {}),
        ...(draft.t !== undefined ? { t: draft.t } : {}),
        evidence: {
          events: sortIds(draft.evidence.events),
          flows: sortIds(draft.evidence.flows),
          markers: sortIds(draft.evidence.markers),
          ui: sortIds(draft.evidence.ui),
        },
      });
    }
  }
  const order = new Map(resolved.map((r, i) => [r.id, i]));
  findings.sort(
    (a, b) =>
      SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
      (order.get(a.ruleId) ?? 0) - (order.get(b.ruleId) ?? 0) ||
      (a.t ?? 0) - (b.t ?? 0) ||
      (a.sdk ?? '').localeCompare(b.sdk ?? '') ||
      a.statement.localeCompare(b.statement),
  );
  return { findings, notJudged };
}

function sortIds(ids: string[] | undefined): string[] {
  return [...new Set(ids ?? [])].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

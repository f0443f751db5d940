import { resolveRules } from '../judge/analysis/index.js';
import type { Config } from '../core/config.js';
import type { RuleInfo } from '../judge/report/index.js';

/** The active rule set's enabled rules (id, title, severity) for JUnit and SARIF. */
export async function ruleInfos(config: Config, ruleSet?: string): Promise<RuleInfo[]> {
  const rules = resolveRules({ ruleSet: (ruleSet ?? config.ruleSet) as Config['ruleSet'], overrides: config.rules });
  return rules.filter((r) => r.enabled).map((r) => ({ id: r.id, title: r.title, severity: r.severity }));
}

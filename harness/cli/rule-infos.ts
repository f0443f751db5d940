import type { Config } from '../core/config.js';
import type { RuleInfo } from '../report/index.js';

/**
 * The active rule set's rules (id, title, severity) for JUnit/SARIF. Comes from the rules
 * engine (harness/analysis); until it is present, reports list the rules that have findings.
 */
export async function ruleInfos(config: Config): Promise<RuleInfo[]> {
  void config;
  return [];
}

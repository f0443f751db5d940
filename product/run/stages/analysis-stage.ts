import { analyzeBundle } from '../../judge/analysis/index.js';
import type { Config } from '../../core/config.js';
import { emptyDeclarations, readPolicyFiles } from '../../judge/policy/index.js';
import type { AnalysisStage } from '../stage-interfaces.js';

/** Policy reading and the rules engine, as the pipeline calls them. */
export function analysisStage(config: Config, configFile?: string): AnalysisStage {
  return {
    async declarations({ policy, declared }) {
      const files = [policy, declared].filter((f): f is string => Boolean(f));
      return files.length ? readPolicyFiles(files, undefined, { maxBytes: config.policy.maxBytes }) : emptyDeclarations();
    },
    async analyze(bundleDir, { ruleSet }) {
      const result = await analyzeBundle(bundleDir, {
        ...(ruleSet ? { ruleSet: ruleSet as Config['ruleSet'] } : {}),
        defaultRuleSet: config.ruleSet,
        overrides: config.rules,
        ...(configFile ? { configFile } : {}),
        write: true,
      });
      return result.doc;
    },
  };
}

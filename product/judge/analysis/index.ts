/** The analysis stage: observations from a bundle, the rules engine, findings and the verdict. */
export { analyzeBundle, type AnalyzeOptions, type AnalysisResult } from './analyze-bundle.js';
export { resolveRules, runRules, SEVERITY_RANK, type ResolvedRule, type EngineSettings, type RuleRun } from './engine.js';
export { observe, type Observations, type Collection, type DataTypeSummary } from './observations.js';
export { Timeline, type ConsentState } from './timeline.js';
export { attributeEvent, attributeFlow, type Actor } from './actors.js';
export { coverageReasons, decideVerdict } from './verdict.js';
export { loadRuleSets, RULE_SET_IDS, RuleSetId, type RuleSets, type Wording } from './rule-sets.js';
export { ALL_RULES } from './rules/index.js';
export type { Rule, RuleMeta, RuleContext, FindingDraft, ThresholdValue } from './rule.js';

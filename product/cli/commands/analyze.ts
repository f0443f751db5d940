import type { Command } from 'commander';
import { Option } from 'commander';
import { RULE_SET_IDS, type RuleSetId } from '../../judge/analysis/rule-sets.js';
import type { FindingsDoc, Severity } from '../../contracts/bundle-schema.js';
import { EXIT, InputError } from '../../core/errors.js';
import { SEVERITY_RANK } from '../../judge/analysis/engine.js';
import { action } from '../action.js';
import { FAIL_ON_LEVELS } from '../../contracts/bundle-schema.js';

interface AnalyzeCliOptions {
  policy?: string[];
  declared?: string[];
  ruleSet?: RuleSetId;
  failOn?: Severity | 'never';
  lenient?: boolean;
  analysedAt?: string;
}

/**
 * Judges a bundle offline (works on bundles from other machines or older versions): reads the
 * bundle, the policy given (else the bundle's declarations.json), runs the rules, writes
 * findings.json into the bundle and prints the verdict.
 */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze <bundle>')
    .description('judge a bundle against the rules and write findings.json (offline; works on bundles from other machines)')
    .option('--policy <files...>', 'privacy policy (text, HTML or saved page) to judge against, instead of the bundle declarations.json')
    .option('--declared <files...>', 'double list / SDK list (YAML, JSON, CSV) to judge against, merged with --policy')
    .addOption(new Option('--rule-set <id>', 'rule set (default: the run\'s, else config ruleSet)').choices([...RULE_SET_IDS]))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (default: config reports.failOn)').choices(FAIL_ON_LEVELS))
    .option('--lenient', 'skip damaged records instead of failing, and list them')
    .option('--analysed-at <ms>', 'fix analysedAt (epoch ms) for byte-identical re-analysis')
    .action(
      action(async (ctx, dir: string, opts: AnalyzeCliOptions) => {
        const inputs = [...(opts.policy ?? []), ...(opts.declared ?? [])];
        const analysedAt = opts.analysedAt === undefined ? undefined : Number(opts.analysedAt);
        if (analysedAt !== undefined && !(Number.isInteger(analysedAt) && analysedAt >= 0)) {
          throw new InputError('USAGE', `expected epoch milliseconds, got "${opts.analysedAt}"`, { field: '--analysed-at' });
        }
        const { analyzeBundle } = await import('../../judge/analysis/index.js');
        const { readPolicyFiles } = await import('../../judge/policy/index.js');
        const { readFindings } = await import('../../evidence/bundle/index.js');
        // A damaged findings.json is the output of an earlier analyze, not evidence: it is
        // recomputed and replaced below, and the user is told so.
        const damagedFindings = readFindings(dir).problem;
        const result = await analyzeBundle(dir, {
          ...(opts.ruleSet ? { ruleSet: opts.ruleSet } : {}),
          defaultRuleSet: ctx.loaded.config.ruleSet,
          overrides: ctx.loaded.config.rules,
          ...(ctx.loaded.file ? { configFile: ctx.loaded.file } : {}),
          ...(inputs.length ? { declarations: readPolicyFiles(inputs, undefined, { maxBytes: ctx.loaded.config.policy.maxBytes }) } : {}),
          ...(analysedAt !== undefined ? { analysedAt } : {}),
          lenient: Boolean(opts.lenient),
          logger: ctx.logger,
        });
        const failOn = opts.failOn ?? ctx.loaded.config.reports.failOn;
        const replaced = damagedFindings ? `the previous findings.json was damaged (${damagedFindings.field ? `field "${damagedFindings.field}": ` : ''}${damagedFindings.message}); recomputed and replaced` : undefined;
        if (replaced) ctx.logger.warn({ bundle: dir, problem: damagedFindings }, replaced);
        if (ctx.json) {
          ctx.outJson({ bundle: dir, findingsFile: result.written, declarationsFrom: result.declarationsFrom, ...(replaced ? { replacedDamagedFindings: replaced } : {}), ...result.doc });
        } else ctx.out(`${replaced ? `Note: ${replaced}\n` : ''}${renderFindings(result.doc, result.written)}`);
        return exitCodeFor(result.doc, failOn);
      }),
    );
}

export function exitCodeFor(doc: FindingsDoc, failOn: Severity | 'never'): number {
  if (failOn !== 'never' && doc.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) return EXIT.findings;
  if (doc.verdict === 'inconclusive') return EXIT.inconclusive;
  return EXIT.ok;
}

export function renderFindings(doc: FindingsDoc, written: string | undefined): string {
  const lines = [`Verdict: ${doc.verdict.toUpperCase()}  (rule set ${doc.ruleSet}, run ${doc.runId}, ${doc.findings.length} finding${doc.findings.length === 1 ? '' : 's'})`];
  if (doc.reasons.length) lines.push(...doc.reasons.map((r) => `  ${doc.verdict === 'inconclusive' ? 'why' : 'note'}: ${r}`));
  for (const f of doc.findings) {
    const ev = [
      f.evidence.events.length ? `events ${f.evidence.events.slice(0, 5).join(',')}${f.evidence.events.length > 5 ? '…' : ''}` : '',
      f.evidence.flows.length ? `flows ${f.evidence.flows.slice(0, 5).join(',')}${f.evidence.flows.length > 5 ? '…' : ''}` : '',
      f.evidence.markers.length ? `markers ${f.evidence.markers.slice(0, 5).join(',')}` : '',
      f.evidence.ui.length ? `ui ${f.evidence.ui.slice(0, 3).join(',')}` : '',
    ].filter(Boolean);
    lines.push('', `[${f.severity}] ${f.ruleId}  ${f.sources.join('; ')}`, `  ${f.statement}`, ...(ev.length ? [`  evidence: ${ev.join('  ')}`] : []));
  }
  if (written) lines.push('', `Findings written to ${written}`);
  return lines.join('\n');
}

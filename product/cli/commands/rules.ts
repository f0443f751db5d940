import type { Command } from 'commander';
import { Option } from 'commander';
import { RULE_SET_IDS, type RuleSetId } from '../../judge/analysis/rule-sets.js';
import { action } from '../action.js';
import { table } from '../table.js';

/** `consentry rules`: the rule catalogue as configured (rule set + the lab's overrides). */
export function registerRules(program: Command): void {
  program
    .command('rules')
    .description('the rule catalogue: ids, severities, sources and thresholds (honours the config and --rule-set)')
    .addOption(new Option('--rule-set <id>', 'rule set (default: config ruleSet)').choices([...RULE_SET_IDS]))
    .option('--all', 'also list rules the rule set or the config turns off')
    .action(
      action(async (ctx, opts: { ruleSet?: RuleSetId; all?: boolean }) => {
        const { resolveRules, loadRuleSets } = await import('../../judge/analysis/index.js');
        const ruleSet = opts.ruleSet ?? ctx.loaded.config.ruleSet;
        const resolved = resolveRules({ ruleSet, overrides: ctx.loaded.config.rules, ...(ctx.loaded.file ? { configFile: ctx.loaded.file } : {}) });
        const set = loadRuleSets()[ruleSet];
        const rows = resolved.map((r) => ({
          id: r.id,
          enabled: r.enabled,
          ...(r.disabledBy ? { disabledBy: r.disabledBy } : {}),
          severity: r.severity,
          title: r.title,
          sources: r.sources,
          citations: r.sources.map((s) => {
            const key = Object.keys(set.citations).find((c) => s === c || s.startsWith(`${c} `));
            return key ? `${s} — ${set.citations[key]}` : s;
          }),
          ...(r.note ? { note: r.note } : {}),
          signal: r.rule.meta.signal,
          thresholds: Object.fromEntries(Object.entries(r.rule.meta.thresholds).map(([k, spec]) => [k, { value: r.thresholds[k], default: spec.default, description: spec.description }])),
          explain: r.rule.meta.explain(r.thresholds),
        }));
        if (ctx.json) {
          ctx.outJson({ ruleSet, title: set.title, rules: opts.all ? rows : rows.filter((r) => r.enabled) });
          return;
        }
        const shown = opts.all ? rows : rows.filter((r) => r.enabled);
        ctx.out(`Rule set ${ruleSet}: ${set.title} (${rows.filter((r) => r.enabled).length} of ${rows.length} rules on)`);
        ctx.out(
          table(
            ['id', 'severity', 'sources', 'thresholds', ...(opts.all ? ['on'] : [])],
            shown.map((r) => [
              r.id,
              r.severity,
              r.sources.join('; '),
              Object.entries(r.thresholds)
                .map(([k, v]) => `${k}=${String(v.value) || '""'}`)
                .join(' '),
              ...(opts.all ? [r.enabled ? 'yes' : `no (${r.disabledBy})`] : []),
            ]),
          ),
        );
        const notes = shown.filter((r) => r.note);
        if (notes.length) ctx.out(['', 'Notes:', ...notes.map((r) => `  ${r.id}: ${r.note}`)].join('\n'));
      }),
    );
}

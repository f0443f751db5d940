import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { action } from '../action.js';

export function registerDiff(program: Command): void {
  program
    .command('diff <before> <after>')
    .description('findings fixed, new and unchanged between two analysed runs of an app (e.g. before and after rectification)')
    .option('--allow-different-apps', 'compare runs of two different packages (normally refused: the diff would call every finding fixed or new)')
    .action(
      action(async (ctx, beforeDir: string, afterDir: string, opts: { allowDifferentApps?: boolean }) => {
        const { readBundle } = await import('../../evidence/bundle/index.js');
        const { diffFindings } = await import('../../judge/report/index.js');
        const [before, after] = await Promise.all([readBundle(beforeDir), readBundle(afterDir)]);
        if (before.run.app.package !== after.run.app.package && !opts.allowDifferentApps) {
          throw new InputError(
            'DIFF_DIFFERENT_APPS',
            `the runs are of two different apps (${before.run.app.package} in ${before.dir}, ${after.run.app.package} in ${after.dir}); diff compares two runs of one app (add --allow-different-apps to compare anyway)`,
            { file: after.dir, field: 'app.package' },
          );
        }
        for (const b of [before, after]) {
          if (!b.findings) throw new InputError('NOT_ANALYSED', `run "consentry analyze ${b.dir}" first`, { file: b.dir });
        }
        const d = diffFindings(before.findings!.findings, after.findings!.findings);
        if (ctx.json) {
          ctx.outJson({
            before: { bundle: before.dir, version: before.run.app.versionName, verdict: before.findings!.verdict },
            after: { bundle: after.dir, version: after.run.app.versionName, verdict: after.findings!.verdict },
            fixed: d.fixed,
            new: d.added,
            unchanged: d.unchanged.map((u) => u.after),
          });
          return;
        }
        ctx.out(`${before.run.app.package}: ${before.run.app.versionName ?? '?'} (${before.findings!.verdict}) → ${after.run.app.versionName ?? '?'} (${after.findings!.verdict})`);
        for (const [label, list] of [['fixed', d.fixed], ['new', d.added], ['unchanged', d.unchanged.map((u) => u.after)]] as const) {
          ctx.out(`${label}: ${list.length}`);
          for (const f of list) ctx.out(`  ${f.ruleId.padEnd(26)} ${f.statement}`);
        }
        return d.added.length > 0 ? 1 : 0;
      }),
    );
}

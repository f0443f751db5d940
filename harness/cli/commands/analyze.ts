import type { Command } from 'commander';
import { readBundle } from '../../bundle/index.js';
import { action } from '../action.js';
import { table } from '../table.js';

/**
 * Re-reads a bundle offline. Until the rules engine lands (issue #8) this validates the bundle
 * and summarises what it holds; damage is reported by file, line and field.
 */
export function registerAnalyze(program: Command): void {
  program
    .command('analyze <bundle>')
    .description('validate a bundle and judge it against the rules (offline; works on bundles from other machines)')
    .option('--lenient', 'skip damaged records instead of failing, and list them')
    .action(
      action(async (ctx, dir: string, opts: { lenient?: boolean }) => {
        const bundle = await readBundle(dir, { strict: !opts.lenient });
        const summary = {
          bundle: bundle.dir,
          runId: bundle.run.runId,
          app: bundle.run.app.package,
          scenario: bundle.run.scenario.id,
          outcome: bundle.run.outcome,
          incomplete: bundle.incomplete,
          counts: { markers: bundle.markers.length, events: bundle.events.length, flows: bundle.flows.length, ui: bundle.ui.length },
          problems: bundle.problems,
        };
        if (ctx.json) {
          ctx.outJson(summary);
          return;
        }
        ctx.out(`${summary.app}  run ${summary.runId}  scenario ${summary.scenario}  outcome ${summary.outcome}${summary.incomplete ? ' (incomplete)' : ''}`);
        ctx.out(table(['markers', 'events', 'flows', 'ui'], [[summary.counts.markers, summary.counts.events, summary.counts.flows, summary.counts.ui]]));
        for (const p of bundle.problems) ctx.out(`${p.severity}: ${p.file}${p.line ? `:${p.line}` : ''}${p.field ? ` field "${p.field}"` : ''}: ${p.message}`);
      }),
    );
}

import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { BUNDLE_FILES } from '../../contracts/bundle-schema.js';
import { EXIT } from '../../core/errors.js';
import { attachBatchProgress } from '../../farm/batch-progress.js';
import type { BatchEvent, BatchRunner } from '../../farm/batch-runner.js';
import { action } from '../action.js';
import { interruptOnSignals } from '../interrupt.js';
import { parsePositiveInt, parseScale } from '../options.js';
import { table } from '../table.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start a virtual farm, run the sample apps end to end, and print where the reports are')
    .option('-n, --devices <count>', 'virtual devices to start', '4')
    .option('-s, --scenario <id>', 'scenario to play on every app', 'standard')
    .option('--observe-scale <factor>', 'multiply every observe step (1 = the lab timings)', '0.1')
    .option('--apps <ids>', 'comma-separated sample app ids (default: all)')
    .action(
      action(async (ctx, opts: { devices: string; scenario: string; observeScale: string; apps?: string }) => {
        const { runDemo } = await import('../../../lab/demo/demo.js');
        const interrupt = interruptOnSignals(ctx.logger, ctx.screen);
        // The demo's log (all its runs, tagged by device) goes beside their bundles, in the batch folder.
        const keepLog = (runner: BatchRunner) =>
          runner.on('event', (e: BatchEvent) => {
            if (e.type === 'done' && e.result.bundleDir) ctx.bundleLog.attach(join(dirname(e.result.bundleDir), BUNDLE_FILES.logs));
          });
        try {
          const results = await runDemo(ctx.loaded, {
            devices: parsePositiveInt(opts.devices, 'devices', 32),
            scenario: opts.scenario,
            observeScale: parseScale(opts.observeScale),
            ...(opts.apps ? { apps: opts.apps.split(',').map((s) => s.trim()) } : {}),
            logger: ctx.logger,
            signal: interrupt.signal,
            attachProgress: (runner, total, serials) => {
              keepLog(runner);
              return ctx.json ? () => undefined : attachBatchProgress(runner, total, serials);
            },
          });
          if (ctx.json) {
            ctx.outJson({ scenario: opts.scenario, apps: results });
          } else {
            ctx.out(
              table(
                ['app', 'verdict', 'findings', 'ground truth'],
                results.map((r) => [
                  r.app,
                  r.status === 'done' ? (r.verdict ?? '') : `${r.status}${r.error ? `: ${r.error.slice(0, 60)}` : ''}`,
                  r.ruleIds.join(' ') || '-',
                  r.matchesExpected === null ? 'n/a' : r.matchesExpected ? 'matches' : `expected ${r.expected?.join(' ') || 'none'}`,
                ]),
              ),
            );
            ctx.out('\nReports:');
            for (const r of results) if (r.report) ctx.out(`  ${r.app.padEnd(24)} ${r.report}`);
            if (ctx.bundleLog.file) ctx.out(`\nLog: ${ctx.bundleLog.file}`);
          }
          if (interrupt.signal.aborted) return EXIT.interrupted;
          return results.every((r) => r.status === 'done' && r.matchesExpected !== false) ? EXIT.ok : EXIT.findings;
        } finally {
          interrupt.dispose();
        }
      }),
    );
}

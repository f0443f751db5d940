import { EventEmitter } from 'node:events';
import type { Command } from 'commander';
import { Option } from 'commander';
import { EXIT } from '../../core/errors.js';
import { action } from '../action.js';
import { interruptOnSignals } from '../interrupt.js';
import { parseScale } from '../options.js';
import { FAIL_ON_LEVELS, RULE_SET_IDS } from '../../contracts/bundle-schema.js';

export function registerRun(program: Command): void {
  program
    .command('run <apk>')
    .description('run one app end to end on a device: lease, prepare, install, instrument, capture, play the scenario, analyse, report')
    .option('--policy <file>', 'the privacy policy (text, HTML, or a saved page)')
    .option('--declared <file>', 'the declared lists: double list (YAML/JSON/CSV) or SDK table')
    .option('-s, --scenario <id|file>', 'scenario to play', 'standard')
    .option('-d, --device <serial|profile>', 'a device serial, or a device profile id (any device of that profile)')
    .option('--observe-scale <factor>', 'multiply every observe step (0.1 for a quick look)', '1')
    .option('--reference <cert|apk|digest>', 'reference signing certificate (repackaging check)')
    .option('--formats <list>', 'reports to write into the bundle', 'html,json')
    .option('--child-directed', 'the app is for children (Google Play Families checks)')
    .addOption(new Option('--rule-set <id>', 'rule set').choices(RULE_SET_IDS))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON_LEVELS))
    .action(
      action(async (ctx, apk: string, opts: { policy?: string; declared?: string; scenario: string; device?: string; observeScale: string; reference?: string; formats: string; childDirected?: boolean; ruleSet?: string; failOn?: string }) => {
        const { config } = ctx.loaded;
        const { attachRunProgress, openPipeline, runApp } = await import('../../run/index.js');
        const { exitCodeFor } = await import('../../judge/report/index.js');
        const pipeline = await openPipeline(ctx.loaded, { logger: ctx.logger, ...(opts.reference ? { reference: opts.reference } : {}) });
        const interrupt = interruptOnSignals(ctx.logger);
        const events = new EventEmitter();
        const detach = attachRunProgress(events, apk.split('/').pop() ?? apk);
        try {
          const profiles = new Set(pipeline.pool.snapshot().map((d) => d.profile).filter(Boolean));
          const device = opts.device ? (profiles.has(opts.device) ? { profile: opts.device } : { serial: opts.device }) : {};
          const result = await runApp(
            {
              apk,
              ...(opts.policy ? { policy: opts.policy } : {}),
              ...(opts.declared ? { declared: opts.declared } : {}),
              scenario: opts.scenario,
              device,
              capturesRoot: config.capturesRoot,
              observeScale: parseScale(opts.observeScale),
              reportFormats: opts.formats.split(',').map((s) => s.trim()),
              ...(opts.ruleSet ? { ruleSet: opts.ruleSet } : {}),
              ...(opts.childDirected ? { childDirected: true } : {}),
            },
            pipeline.stages,
            { logger: ctx.logger, signal: interrupt.signal, events },
          );
          detach();
          const findings = result.findings?.findings ?? [];
          if (ctx.json) {
            ctx.outJson({ bundle: result.bundleDir, outcome: result.outcome, error: result.error?.message, verdict: result.findings?.verdict, reasons: result.findings?.reasons ?? [], findings, reports: result.reports });
          } else {
            ctx.out(`bundle:  ${result.bundleDir}`);
            ctx.out(`outcome: ${result.outcome}${result.error ? ` (${result.error.message})` : ''}`);
            if (result.findings) {
              ctx.out(`verdict: ${result.findings.verdict}${result.findings.reasons.length ? ` (${result.findings.reasons.join('; ')})` : ''}`);
              for (const f of findings) ctx.out(`  ${f.severity.padEnd(6)} ${f.ruleId.padEnd(26)} ${f.statement}`);
            }
            for (const [format, file] of Object.entries(result.reports)) ctx.out(`${format} report: ${file}`);
          }
          if (result.outcome === 'interrupted') return EXIT.interrupted;
          if (result.outcome === 'failed') return result.error?.exitCode ?? EXIT.failure;
          return exitCodeFor(result.findings?.verdict ?? 'inconclusive', findings, opts.failOn ?? config.reports.failOn);
        } finally {
          detach();
          interrupt.dispose();
          await pipeline.close();
        }
      }),
    );
}

import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { EXIT } from '../../core/errors.js';
import { action } from '../action.js';
import { CI_KINDS, detectCi, githubAnnotations, gitlabCodeQuality, type CiKind } from '../ci-annotations.js';
import { interruptOnSignals } from '../interrupt.js';
import { parseScale } from '../options.js';
import { BUNDLE_FILES, FAIL_ON_LEVELS, RULE_SET_IDS } from '../../contracts/bundle-schema.js';
import { parseReportFormats, REPORT_FILES, REPORT_FORMATS, renderReport, SUMMARY_FORMATS, type ReportFormat } from './report.js';

/** Where `--ci gitlab` writes its code quality report: the name GitLab's docs use. */
export const GITLAB_CODE_QUALITY_FILE = 'gl-code-quality-report.json';

interface RunOptions {
  policy?: string;
  declared?: string;
  scenario: string;
  device?: string;
  observeScale: string;
  reference?: string;
  formats: string;
  childDirected?: boolean;
  ruleSet?: string;
  failOn?: string;
  ci?: CiKind;
}

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
    .option('--formats <list>', `reports to write into the bundle (${REPORT_FORMATS.join(', ')})`, 'html,json')
    .option('--child-directed', 'the app is for children (Google Play Families checks)')
    .addOption(new Option('--rule-set <id>', 'rule set').choices(RULE_SET_IDS))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON_LEVELS))
    .addOption(
      new Option('--ci <system>', 'also report findings to a CI system: github annotations, or a gitlab code quality file; adds junit and sarif reports (default: detected from GITHUB_ACTIONS / GITLAB_CI)').choices(CI_KINDS),
    )
    .action(
      action(async (ctx, apk: string, opts: RunOptions) => {
        const { config } = ctx.loaded;
        // Checked before anything starts: an unknown format is a usage error, not a silent no-op.
        const formats = parseReportFormats(opts.formats);
        const observeScale = parseScale(opts.observeScale);
        const ci = opts.ci ?? detectCi();
        if (ci !== 'none') for (const f of ['junit', 'sarif'] as const) if (!formats.includes(f)) formats.push(f);
        const { attachRunProgress, openPipeline, runApp } = await import('../../run/index.js');
        const { exitCodeFor } = await import('../../judge/report/index.js');
        const pipeline = await openPipeline(ctx.loaded, { logger: ctx.logger, ...(opts.reference ? { reference: opts.reference } : {}) });
        const interrupt = interruptOnSignals(ctx.logger, ctx.screen);
        const events = new EventEmitter();
        // The run's log goes into its bundle from the moment the bundle exists (earlier lines are kept until then).
        events.on('run', (e: { type: string; dir?: string }) => {
          if (e.type === 'bundle' && e.dir) ctx.bundleLog.attach(join(e.dir, BUNDLE_FILES.logs));
        });
        const detach = attachRunProgress(events, apk.split('/').pop() ?? apk);
        let result: Awaited<ReturnType<typeof runApp>>;
        try {
          const profiles = new Set(pipeline.pool.snapshot().map((d) => d.profile).filter(Boolean));
          const device = opts.device ? (profiles.has(opts.device) ? { profile: opts.device } : { serial: opts.device }) : {};
          result = await runApp(
            {
              apk,
              ...(opts.policy ? { policy: opts.policy } : {}),
              ...(opts.declared ? { declared: opts.declared } : {}),
              scenario: opts.scenario,
              device,
              capturesRoot: config.capturesRoot,
              observeScale,
              reportFormats: formats.filter((f) => !SUMMARY_FORMATS.includes(f)),
              ...(opts.ruleSet ? { ruleSet: opts.ruleSet } : {}),
              ...(opts.childDirected ? { childDirected: true } : {}),
            },
            pipeline.stages,
            { logger: ctx.logger, signal: interrupt.signal, events },
          );
          if (result.findings) Object.assign(result.reports, await writeSummaries(result.bundleDir, formats, ctx.loaded.config));
        } finally {
          interrupt.dispose();
          // Closed before the result is printed: nothing the shutdown says comes after it.
          await pipeline.close();
          detach();
        }

        const findings = result.findings?.findings ?? [];
        const forCi = { file: apk, verdict: result.findings?.verdict, reasons: result.findings?.reasons ?? (result.error ? [result.error.message] : []), findings };
        let codeQuality: string | undefined;
        if (ci === 'gitlab') {
          codeQuality = resolve(GITLAB_CODE_QUALITY_FILE);
          writeFileSync(codeQuality, `${JSON.stringify(gitlabCodeQuality(forCi), null, 2)}\n`);
        }
        if (ctx.json) {
          ctx.outJson({
            bundle: result.bundleDir,
            outcome: result.outcome,
            error: result.error?.message,
            verdict: result.findings?.verdict,
            reasons: result.findings?.reasons ?? [],
            findings,
            reports: result.reports,
            log: ctx.bundleLog.file,
            ...(codeQuality ? { codeQuality } : {}),
          });
          // The JSON document owns stdout; the runner reads workflow commands on stderr too.
          if (ci === 'github') for (const line of githubAnnotations(forCi)) process.stderr.write(`${line}\n`);
        } else {
          ctx.out(`bundle:  ${result.bundleDir}`);
          ctx.out(`outcome: ${result.outcome}${result.error ? ` (${result.error.message})` : ''}`);
          if (result.findings) {
            ctx.out(`verdict: ${result.findings.verdict}${result.findings.reasons.length ? ` (${result.findings.reasons.join('; ')})` : ''}`);
            for (const f of findings) ctx.out(`  ${f.severity.padEnd(6)} ${f.ruleId.padEnd(26)} ${f.statement}`);
          }
          for (const [format, file] of Object.entries(result.reports)) ctx.out(`${format} report: ${file}`);
          if (ctx.bundleLog.file) ctx.out(`log: ${ctx.bundleLog.file}`);
          if (codeQuality) ctx.out(`gitlab code quality: ${codeQuality}`);
          if (ci === 'github') for (const line of githubAnnotations(forCi)) ctx.out(line);
        }
        if (result.outcome === 'interrupted') return EXIT.interrupted;
        if (result.outcome === 'failed') return result.error?.exitCode ?? EXIT.failure;
        return exitCodeFor(result.findings?.verdict ?? 'inconclusive', findings, opts.failOn ?? config.reports.failOn);
      }),
    );
}

/** csv/xlsx for one run: the same summary table `consentry report` makes across many. */
async function writeSummaries(bundleDir: string, formats: ReportFormat[], config: Parameters<typeof import('../rule-infos.js').ruleInfos>[0]): Promise<Record<string, string>> {
  const wanted = formats.filter((f) => SUMMARY_FORMATS.includes(f));
  if (!wanted.length) return {};
  const { readBundle } = await import('../../evidence/bundle/index.js');
  const { buildReportModel } = await import('../../judge/report/index.js');
  const { ruleInfos } = await import('../rule-infos.js');
  const bundle = await readBundle(bundleDir);
  const model = buildReportModel(bundle, bundle.findings);
  const rules = await ruleInfos(config, model.ruleSet);
  const written: Record<string, string> = {};
  for (const format of wanted) {
    const file = join(bundleDir, REPORT_FILES[format]);
    writeFileSync(file, await renderReport(format, [model], rules));
    written[format] = file;
  }
  return written;
}

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InputError } from '../../core/errors.js';
import type { ReportModel } from '../../judge/report/index.js';
import { action } from '../action.js';
import { FAIL_ON_LEVELS } from '../../contracts/bundle-schema.js';

const FORMATS = ['html', 'json', 'junit', 'sarif', 'csv', 'xlsx'] as const;
type Format = (typeof FORMATS)[number];
const EXTENSION: Record<Format, string> = { html: 'report.html', json: 'report.json', junit: 'junit.xml', sarif: 'report.sarif', csv: 'summary.csv', xlsx: 'summary.xlsx' };

export function registerReport(program: Command): void {
  program
    .command('report <bundles...>')
    .description('render a report from analysed bundle(s): html, json, junit, sarif (one bundle) or csv/xlsx (a summary of many)')
    .addOption(new Option('-f, --format <format>', 'report format').choices(FORMATS).default('html'))
    .option('-o, --out <file>', 'output file (default: inside the bundle; "-" for stdout)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON_LEVELS))
    .action(
      action(async (ctx, bundles: string[], opts: { format: Format; out?: string; failOn?: string }) => {
        const { readBundle } = await import('../../evidence/bundle/index.js');
        const { buildReportModel, exitCodeFor, renderCsv, renderHtml, renderJson, renderJunit, renderSarif, renderXlsx, summaryRow } = await import(
          '../../judge/report/index.js'
        );
        const { ruleInfos } = await import('../rule-infos.js');
        const models: ReportModel[] = [];
        for (const dir of bundles) {
          const bundle = await readBundle(dir);
          models.push(buildReportModel(bundle, bundle.findings));
        }
        const single = opts.format !== 'csv' && opts.format !== 'xlsx';
        if (single && models.length > 1) {
          throw new InputError('USAGE', `--format ${opts.format} takes one bundle; use csv or xlsx to summarise many`);
        }
        const first = models[0]!;
        const rules = await ruleInfos(ctx.loaded.config, first.ruleSet);
        const content: string | Buffer = await (async () => {
          switch (opts.format) {
            case 'html':
              return renderHtml(first);
            case 'json':
              return `${JSON.stringify(renderJson(first), null, 2)}\n`;
            case 'junit':
              return renderJunit(first, rules);
            case 'sarif':
              return `${JSON.stringify(renderSarif(first, rules), null, 2)}\n`;
            case 'csv':
              return renderCsv(models.map(summaryRow));
            case 'xlsx':
              return renderXlsx(models.map(summaryRow));
          }
        })();
        const out = opts.out ?? (single ? join(first.bundleDir, EXTENSION[opts.format]) : resolve(EXTENSION[opts.format]));
        if (out === '-') process.stdout.write(content);
        else {
          writeFileSync(out, content);
          if (ctx.json) ctx.outJson({ format: opts.format, file: resolve(out), verdict: single ? first.verdict : undefined });
          else ctx.out(`${opts.format} report: ${resolve(out)}${single ? `  (verdict: ${first.verdict}, ${first.findings.length} finding(s))` : ''}`);
        }
        const failOn = opts.failOn ?? ctx.loaded.config.reports.failOn;
        return Math.max(...models.map((m) => exitCodeFor(m.verdict, m.findings, failOn)));
      }),
    );
}

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { InputError } from '../../core/errors.js';
import type { ReportModel, RuleInfo } from '../../judge/report/index.js';
import { action } from '../action.js';
import { FAIL_ON_LEVELS } from '../../contracts/bundle-schema.js';

/** Every report format consentry renders; `run --formats` accepts the same list. */
export const REPORT_FORMATS = ['html', 'json', 'junit', 'sarif', 'csv', 'xlsx'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
/** The file each format is written to, inside the bundle (csv/xlsx: beside the bundles when many). */
export const REPORT_FILES: Record<ReportFormat, string> = { html: 'report.html', json: 'report.json', junit: 'junit.xml', sarif: 'report.sarif', csv: 'summary.csv', xlsx: 'summary.xlsx' };
/** Formats that summarise many runs in one table. */
export const SUMMARY_FORMATS: readonly ReportFormat[] = ['csv', 'xlsx'];

/** Renders one format: html/json/junit/sarif from the first model, csv/xlsx from all of them. */
export async function renderReport(format: ReportFormat, models: ReportModel[], rules: RuleInfo[]): Promise<string | Buffer> {
  const { renderCsv, renderHtml, renderJson, renderJunit, renderSarif, renderXlsx, summaryRow } = await import('../../judge/report/index.js');
  const first = models[0]!;
  switch (format) {
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
}

/**
 * Parses a comma-separated format list (`run --formats`): every name must be one the `report`
 * command knows, or the command stops with exit 2 before anything runs.
 */
export function parseReportFormats(raw: string, option = 'formats'): ReportFormat[] {
  const names = raw.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = names.filter((n) => !(REPORT_FORMATS as readonly string[]).includes(n));
  if (unknown.length || names.length === 0) {
    const what = unknown.length ? `unknown report format ${unknown.map((u) => `"${u}"`).join(', ')}` : 'no report format given';
    throw new InputError('BAD_OPTION', `${what}: expected a comma-separated list of ${REPORT_FORMATS.join(', ')}`, { field: option });
  }
  return [...new Set(names)] as ReportFormat[];
}

export function registerReport(program: Command): void {
  program
    .command('report <bundles...>')
    .description('render a report from analysed bundle(s): html, json, junit, sarif (one bundle) or csv/xlsx (a summary of many)')
    .addOption(new Option('-f, --format <format>', 'report format').choices(REPORT_FORMATS).default('html'))
    .option('-o, --out <file>', 'output file (default: inside the bundle; "-" for stdout)')
    .addOption(new Option('--fail-on <severity>', 'exit 1 when a finding is at or above this severity').choices(FAIL_ON_LEVELS))
    .action(
      action(async (ctx, bundles: string[], opts: { format: ReportFormat; out?: string; failOn?: string }) => {
        const { readBundle } = await import('../../evidence/bundle/index.js');
        const { buildReportModel, exitCodeFor } = await import('../../judge/report/index.js');
        const { ruleInfos } = await import('../rule-infos.js');
        const models: ReportModel[] = [];
        for (const dir of bundles) {
          const bundle = await readBundle(dir);
          models.push(buildReportModel(bundle, bundle.findings));
        }
        const single = !SUMMARY_FORMATS.includes(opts.format);
        if (single && models.length > 1) {
          throw new InputError('USAGE', `--format ${opts.format} takes one bundle; use csv or xlsx to summarise many`);
        }
        const first = models[0]!;
        const rules = await ruleInfos(ctx.loaded.config, first.ruleSet);
        const content = await renderReport(opts.format, models, rules);
        const out = opts.out ?? (single ? join(first.bundleDir, REPORT_FILES[opts.format]) : resolve(REPORT_FILES[opts.format]));
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

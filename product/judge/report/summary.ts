import ExcelJS from 'exceljs';
import type { ReportModel } from './model.js';

/**
 * One row per run, for lab reporting across many apps (CSV and XLSX). App-controlled strings
 * (labels, package names) are guarded against spreadsheet formula injection: a cell that would
 * start with = + - @ (or a tab/CR) is prefixed with an apostrophe.
 */
export const SUMMARY_COLUMNS = [
  'runId',
  'package',
  'versionName',
  'label',
  'scenario',
  'device',
  'verdict',
  'findings',
  'high',
  'medium',
  'low',
  'rules',
  'reasons',
  'startedAt',
  'bundle',
] as const;

export type SummaryRow = Record<(typeof SUMMARY_COLUMNS)[number], string | number>;

export function summaryRow(model: ReportModel): SummaryRow {
  const count = (s: string) => model.findings.filter((f) => f.severity === s).length;
  return {
    runId: model.runId,
    package: model.app.package,
    versionName: model.app.versionName ?? '',
    label: model.app.label ?? '',
    scenario: model.scenario,
    device: model.device.serial,
    verdict: model.verdict,
    findings: model.findings.length,
    high: count('high'),
    medium: count('medium'),
    low: count('low'),
    rules: [...new Set(model.findings.map((f) => f.ruleId))].sort().join(' '),
    reasons: model.reasons.join('; '),
    startedAt: new Date(model.startedAt).toISOString(),
    bundle: model.bundleDir,
  };
}

function guard(value: string | number): string | number {
  if (typeof value === 'number') return value;
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvCell(value: string | number): string {
  const text = String(guard(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function renderCsv(rows: SummaryRow[]): string {
  const lines = [SUMMARY_COLUMNS.join(','), ...rows.map((r) => SUMMARY_COLUMNS.map((c) => csvCell(r[c])).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export async function renderXlsx(rows: SummaryRow[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'consentry';
  const sheet = book.addWorksheet('runs');
  sheet.columns = SUMMARY_COLUMNS.map((c) => ({ header: c, key: c, width: c === 'bundle' || c === 'reasons' ? 50 : 16 }));
  for (const row of rows) {
    const guarded: Record<string, string | number> = {};
    for (const c of SUMMARY_COLUMNS) guarded[c] = guard(row[c]);
    sheet.addRow(guarded);
  }
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  return Buffer.from(await book.xlsx.writeBuffer());
}

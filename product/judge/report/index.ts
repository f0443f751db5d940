export { buildReportModel, type ReportModel, type ResolvedFinding } from './model.js';
export { renderHtml } from './html.js';
export { renderJson, reportJsonSchema, JsonReport, REPORT_SCHEMA_ID } from './json-report.js';
export { renderJunit, type RuleInfo } from './junit.js';
export { renderSarif } from './sarif.js';
export { renderCsv, renderXlsx, summaryRow, SUMMARY_COLUMNS, type SummaryRow } from './summary.js';
export { diffFindings, findingKey, type FindingsDiff } from './diff.js';
export { exitCodeFor, SEVERITY_RANK } from './exit-policy.js';

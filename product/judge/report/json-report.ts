import { z } from 'zod';
import { Finding, Verdict } from '../../contracts/bundle-schema.js';
import { packageVersion } from '../../core/paths.js';
import type { ReportModel } from './model.js';

/**
 * The machine-readable report. Its JSON Schema is published at
 * product/judge/report/report.schema.json (generated from this zod schema; a test keeps it in step).
 */
export const REPORT_SCHEMA_ID = 'https://consentry.dev/schemas/report-1.json';

export const JsonReport = z.object({
  $schema: z.literal(REPORT_SCHEMA_ID),
  reportVersion: z.literal(1),
  generator: z.string(),
  runId: z.string(),
  bundle: z.string(),
  app: z.object({ package: z.string(), versionName: z.string().optional(), versionCode: z.number().int().optional(), label: z.string().optional() }),
  device: z.object({ serial: z.string(), profile: z.string(), model: z.string().optional(), apiLevel: z.number().int().optional() }),
  scenario: z.string(),
  startedAt: z.string(),
  endedAt: z.string(),
  outcome: z.string(),
  verdict: z.union([Verdict, z.literal('not-analysed')]),
  reasons: z.array(z.string()),
  ruleSet: z.string(),
  summary: z.object({
    findings: z.number().int(),
    bySeverity: z.record(z.string(), z.number().int()),
    sensitiveCalls: z.number().int(),
    flows: z.number().int(),
    flowsWithPersonalData: z.number().int(),
    tlsFailures: z.number().int(),
  }),
  findings: z.array(Finding),
});
export type JsonReport = z.infer<typeof JsonReport>;

export function renderJson(model: ReportModel): JsonReport {
  const bySeverity: Record<string, number> = {};
  for (const f of model.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
  return JsonReport.parse({
    $schema: REPORT_SCHEMA_ID,
    reportVersion: 1,
    generator: `consentry ${packageVersion()}`,
    runId: model.runId,
    bundle: model.bundleDir,
    app: { package: model.app.package, versionName: model.app.versionName, versionCode: model.app.versionCode, label: model.app.label },
    device: { serial: model.device.serial, profile: model.device.profile, model: model.device.model, apiLevel: model.device.apiLevel },
    scenario: model.scenario,
    startedAt: new Date(model.startedAt).toISOString(),
    endedAt: new Date(model.endedAt).toISOString(),
    outcome: model.outcome,
    verdict: model.verdict,
    reasons: model.reasons,
    ruleSet: model.ruleSet,
    summary: {
      findings: model.findings.length,
      bySeverity,
      sensitiveCalls: model.counts.events,
      flows: model.counts.flows,
      flowsWithPersonalData: model.counts.flowsWithPersonalData,
      tlsFailures: model.counts.tlsFailures,
    },
    findings: model.findings.map(({ ruleId, severity, statement, sources, dataTypes, sdk, t, evidence }) => ({
      ruleId,
      severity,
      statement,
      sources,
      dataTypes,
      ...(sdk ? { sdk } : {}),
      ...(t !== undefined ? { t } : {}),
      evidence,
    })),
  });
}

export function reportJsonSchema(): unknown {
  return { $id: REPORT_SCHEMA_ID, ...z.toJSONSchema(JsonReport, { io: 'output' }) };
}

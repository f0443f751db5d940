import type { Log, Result } from 'sarif';
import { packageVersion } from '../../core/paths.js';
import type { ReportModel } from './model.js';
import type { RuleInfo } from './junit.js';

const LEVEL: Record<string, Result.level> = { high: 'error', medium: 'warning', low: 'note', info: 'note' };

/** SARIF 2.1.0, so code-scanning UIs list findings. The "artifact" is the APK/package. */
export function renderSarif(model: ReportModel, rules: RuleInfo[]): Log {
  const known = new Map(rules.map((r) => [r.id, r]));
  for (const f of model.findings) if (!known.has(f.ruleId)) known.set(f.ruleId, { id: f.ruleId, title: f.ruleId, severity: f.severity });
  const ruleArray = [...known.values()];
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'consentry',
            version: packageVersion(),
            informationUri: 'https://github.com/consentry/consentry',
            rules: ruleArray.map((r) => ({
              id: r.id,
              name: r.id,
              shortDescription: { text: r.title },
              defaultConfiguration: { level: LEVEL[r.severity] ?? 'warning' },
            })),
          },
        },
        automationDetails: { id: `${model.app.package}/${model.scenario}/${model.runId}` },
        results: model.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: ruleArray.findIndex((r) => r.id === f.ruleId),
          level: LEVEL[f.severity] ?? 'warning',
          message: { text: f.statement },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: `${model.app.package}.apk` } },
              logicalLocations: [{ name: f.sdk ?? model.app.package, kind: 'module' }],
            },
          ],
          properties: { evidence: f.evidence, dataTypes: f.dataTypes, sources: f.sources },
        })),
        invocations: [{ executionSuccessful: model.outcome === 'complete' }],
      },
    ],
  };
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle } from '../../evidence/bundle/index.js';
import { resolveRules } from '../../judge/analysis/index.js';
import type { Config } from '../../core/config.js';
import { buildReportModel, renderHtml, renderJson, renderJunit, renderSarif } from '../../judge/report/index.js';
import type { ReportStage } from '../stage-interfaces.js';

const FILES: Record<string, string> = { html: 'report.html', json: 'report.json', junit: 'junit.xml', sarif: 'report.sarif' };

/** Writes the requested reports into the bundle folder; returns format → path. */
export function reportStage(config: Config): ReportStage {
  return {
    async write(bundleDir, formats) {
      const bundle = await readBundle(bundleDir);
      const model = buildReportModel(bundle, bundle.findings);
      const rules = resolveRules({ ruleSet: (model.ruleSet as Config['ruleSet']) ?? config.ruleSet, overrides: config.rules })
        .filter((r) => r.enabled)
        .map((r) => ({ id: r.id, title: r.title, severity: r.severity }));
      const out: Record<string, string> = {};
      for (const format of formats) {
        const file = FILES[format];
        if (!file) continue;
        const content =
          format === 'html' ? renderHtml(model)
          : format === 'json' ? `${JSON.stringify(renderJson(model), null, 2)}\n`
          : format === 'junit' ? renderJunit(model, rules)
          : `${JSON.stringify(renderSarif(model, rules), null, 2)}\n`;
        writeFileSync(join(bundleDir, file), content);
        out[format] = join(bundleDir, file);
      }
      return out;
    },
  };
}

import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { DATA_TYPE_LABELS, type DataTypeId } from '../../contracts/data-types.js';
import { PACKAGE_ROOT, packageVersion } from '../../core/paths.js';
import { highlightSegments } from './highlight.js';
import { screenshotDataUri, type ReportModel } from './model.js';
import { buildChart, formatOffset } from './timeline.js';

/**
 * The report for people: one self-contained HTML file (inline CSS, inline SVG, screenshots as
 * data: URIs), no network at view time and no script at all. Everything captured from the app
 * is escaped by nunjucks' autoescape; the Content-Security-Policy forbids script as a second
 * wall, so a hostile app's strings cannot run in the reader's browser.
 */
let env: nunjucks.Environment | undefined;

function environment(): nunjucks.Environment {
  env ??= new nunjucks.Environment(new nunjucks.FileSystemLoader(join(PACKAGE_ROOT, 'product', 'judge', 'report', 'templates')), {
    autoescape: true,
    throwOnUndefined: false,
  });
  return env;
}

export function renderHtml(model: ReportModel): string {
  const chart = buildChart(model);
  const findings = model.findings.map((f) => ({
    ...f,
    when: f.t !== undefined ? formatOffset(f.t - model.startedAt) : undefined,
    dataTypeLabels: f.dataTypes.map((d) => DATA_TYPE_LABELS[d as DataTypeId] ?? d),
    flowViews: f.flows.map(({ flow, requestBody }) => {
      const needles = flow.hits.map((h) => h.match ?? h.value);
      return {
        id: flow.id,
        at: formatOffset(flow.t - model.startedAt),
        requestLine: highlightSegments(`${flow.request?.method ?? ''} ${flow.request?.url ?? `${flow.server.host}:${flow.server.port}`}`, needles),
        tlsError: flow.tls?.error,
        headers: (flow.request?.headers ?? []).map(([k, v]) => ({ name: k, value: highlightSegments(v, needles) })),
        body: requestBody === undefined ? undefined : highlightSegments(requestBody, needles),
        hits: flow.hits,
        destination: flow.destination,
      };
    }),
    eventViews: f.events.map((e) => ({
      ...e,
      at: formatOffset(e.t - model.startedAt),
    })),
    shots: f.ui
      .map((u) => ({ id: u.id, at: formatOffset(u.t - model.startedAt), src: screenshotDataUri(model.bundleDir, u.screenshot) }))
      .filter((s) => s.src !== undefined),
  }));
  return environment().render('report.njk', {
    m: model,
    chart,
    findings,
    generatedBy: `consentry ${packageVersion()}`,
    startedIso: new Date(model.startedAt).toISOString(),
    durationLabel: formatOffset(model.endedAt - model.startedAt),
  });
}

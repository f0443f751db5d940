import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, T0, writeTestBundle } from '../../evidence/bundle/test-support/factories.js';
import { readBundle } from '../../evidence/bundle/reader.js';
import type { FindingsDoc } from '../../contracts/bundle-schema.js';
import { EXIT } from '../../core/errors.js';
import {
  buildReportModel,
  diffFindings,
  exitCodeFor,
  renderCsv,
  renderHtml,
  renderJson,
  renderJunit,
  renderSarif,
  reportJsonSchema,
  summaryRow,
} from './index.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

const temp = tempDirs('report');

async function hostileBundle() {
  const root = temp.make();
  const ev = hookEvent('android-id', T0 + 1200, {
    api: 'android.provider.Settings$Secure.getString',
    ret: '9774d56d682e549c',
    stack: [`com.umeng.a.b(${HOSTILE})`, 'com.example.app.App.onCreate(App.java:10)'],
    attribution: { party: 'sdk', sdk: 'umeng', vendor: HOSTILE },
  });
  const fl = flow(`https://alog.umeng.com/app_logs?q=${encodeURIComponent(HOSTILE)}&aid=9774d56d682e549c`, T0 + 1500, {
    hits: [{ dataType: 'android-id', form: 'plain', location: 'url', value: '9774d56d682e549c' }],
    destination: { party: 'sdk', sdk: 'umeng' },
  });
  fl.request!.headers.push(['x-evil', HOSTILE]);
  const dir = await writeTestBundle(root, {
    run: { app: { package: 'com.example.app', label: HOSTILE, versionName: '1.0' } },
    markers: [marker('step', T0, { tEnd: T0 + 3000, label: `launch ${HOSTILE}` }), marker('consent.accepted', T0 + 5000)],
    events: [ev],
    flows: [fl],
  });
  const findings: FindingsDoc = {
    schemaVersion: 1,
    runId: 'x',
    analysedAt: T0,
    consentryVersion: '0.1.0',
    ruleSet: 'cn-miit',
    verdict: 'fail',
    reasons: [],
    findings: [
      {
        ruleId: 'CONSENT-PRE-COLLECT',
        severity: 'high',
        statement: `The Umeng SDK read the Android ID 1.2 s after launch ${HOSTILE}`,
        sources: ['RD 三.1'],
        dataTypes: ['android-id'],
        sdk: 'umeng',
        t: T0 + 1200,
        evidence: { events: [ev.id], flows: [fl.id], markers: [], ui: [] },
      },
    ],
  };
  return { bundle: await readBundle(dir), findings };
}

describe('report timeline', () => {
  it("puts the harness's notes with the scenario steps, not in the app's lifecycle lane", async () => {
    const dir = await writeTestBundle(temp.make(), {
      markers: [marker('note', T0, { label: 'UI automation: Appium session s1, opened for this run' }), marker('app.foreground', T0 + 100)],
    });
    const model = buildReportModel(await readBundle(dir), undefined);
    const lane = (label: RegExp) => model.timeline.find((m) => label.test(m.label))?.lane;
    expect(lane(/Appium session/)).toBe('scenario');
    expect(model.timeline.filter((m) => m.lane === 'lifecycle')).toHaveLength(1);
  });
});

describe('HTML report', () => {
  it('escapes everything the app controls and allows no script', async () => {
    const { bundle, findings } = await hostileBundle();
    const html = renderHtml(buildReportModel(bundle, findings));
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img src=x/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain(`content="default-src 'none'; img-src data:`);
  });

  it('shows the verdict, the finding with its evidence and a timeline with the pre-consent region', async () => {
    const { bundle, findings } = await hostileBundle();
    const html = renderHtml(buildReportModel(bundle, findings));
    expect(html).toContain('verdict-fail');
    expect(html).toContain('CONSENT-PRE-COLLECT');
    expect(html).toContain('android.provider.Settings$Secure.getString');
    expect(html).toMatch(/<mark>9774d56d682e549c<\/mark>/);
    expect(html).toContain('<svg role="img" aria-label="timeline"');
    expect(html).toContain('before consent');
  });
});

describe('machine reports', () => {
  it('JSON matches its published schema and carries the findings', async () => {
    const { bundle, findings } = await hostileBundle();
    const json = renderJson(buildReportModel(bundle, findings));
    expect(json.verdict).toBe('fail');
    expect(json.summary.bySeverity).toEqual({ high: 1 });
    const published = JSON.parse(readFileSync(join(import.meta.dirname, 'report.schema.json'), 'utf8'));
    expect(published).toEqual(JSON.parse(JSON.stringify(reportJsonSchema())));
  });

  it('JUnit has one case per rule and a failure per finding', async () => {
    const { bundle, findings } = await hostileBundle();
    const xml = renderJunit(buildReportModel(bundle, findings), [
      { id: 'CONSENT-PRE-COLLECT', title: 'Personal information before consent', severity: 'high' },
      { id: 'TRANSPORT-CLEARTEXT', title: 'Personal information without TLS', severity: 'medium' },
    ]);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(xml);
    const cases = doc.testsuites.testsuite.testcase;
    expect(cases).toHaveLength(2);
    expect(cases[0].failure['@_message']).toContain('Umeng');
    expect(cases[1].failure).toBeUndefined();
    expect(doc.testsuites['@_failures']).toBe('1');
  });

  it('SARIF 2.1.0 lists results against rules', async () => {
    const { bundle, findings } = await hostileBundle();
    const sarif = renderSarif(buildReportModel(bundle, findings), []);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results![0]).toMatchObject({ ruleId: 'CONSENT-PRE-COLLECT', level: 'error', ruleIndex: 0 });
  });

  it('CSV neutralises spreadsheet formulas in app-controlled cells', async () => {
    const { bundle, findings } = await hostileBundle();
    const row = summaryRow(buildReportModel(bundle, findings));
    const csv = renderCsv([{ ...row, label: '=HYPERLINK("http://evil")' }]);
    expect(csv.split('\r\n')[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});

describe('exit policy and diff', () => {
  it('maps findings and verdicts to exit codes', () => {
    expect(exitCodeFor('fail', [{ severity: 'high' }], 'high')).toBe(EXIT.findings);
    expect(exitCodeFor('fail', [{ severity: 'medium' }], 'high')).toBe(EXIT.ok);
    expect(exitCodeFor('fail', [{ severity: 'medium' }], 'medium')).toBe(EXIT.findings);
    expect(exitCodeFor('inconclusive', [], 'high')).toBe(EXIT.inconclusive);
    expect(exitCodeFor('pass', [{ severity: 'high' }], 'never')).toBe(EXIT.ok);
  });

  it('tells fixed, new and unchanged findings apart regardless of evidence ids', () => {
    const base = { severity: 'high' as const, sources: [], evidence: { events: ['e1'], flows: [], markers: [], ui: [] } };
    const before = [
      { ...base, ruleId: 'CONSENT-PRE-COLLECT', statement: 'a', dataTypes: ['android-id' as const], sdk: 'umeng' },
      { ...base, ruleId: 'SCOPE-UNDECLARED-SDK', statement: 'b', dataTypes: [], sdk: 'pangle' },
    ];
    const after = [
      { ...base, ruleId: 'CONSENT-PRE-COLLECT', statement: 'a2', dataTypes: ['android-id' as const], sdk: 'umeng', evidence: { events: ['e9'], flows: [], markers: [], ui: [] } },
      { ...base, ruleId: 'TRANSPORT-CLEARTEXT', statement: 'c', dataTypes: ['location' as const] },
    ];
    const d = diffFindings(before, after);
    expect(d.fixed.map((f) => f.ruleId)).toEqual(['SCOPE-UNDECLARED-SDK']);
    expect(d.added.map((f) => f.ruleId)).toEqual(['TRANSPORT-CLEARTEXT']);
    expect(d.unchanged).toHaveLength(1);
  });
});

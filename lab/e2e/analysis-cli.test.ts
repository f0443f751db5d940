import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, T0, writeTestBundle } from '../../product/evidence/bundle/test-support/factories.js';
import { BUNDLE_FILES, FindingsDoc } from '../../product/contracts/bundle-schema.js';
import { EXIT } from '../../product/core/errors.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';

/**
 * The analysis commands as a user runs them: the real CLI in its own process, on bundles built
 * with the shared factories, with a lab config that re-tunes rules. Checks what a user sees:
 * exit codes, the verdict, findings.json in the bundle, and one-line errors naming file:line:field.
 */
const work = mkdtempSync(join(tmpdir(), 'consentry-analysis-e2e-'));
const fixtures = join(PACKAGE_ROOT, 'product', 'judge', 'policy', 'fixtures');
const config = join(work, 'consentry.config.yaml');
writeFileSync(config, 'logLevel: silent\n');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The CLI with its own config file, so that no config in the checkout leaks into the test. */
function cli(args: string[]) {
  return runProcess(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'product/cli/main.ts'), '-c', config, ...args], {
    cwd: PACKAGE_ROOT,
    timeoutMs: 60_000,
    okCodes: [0, 1, 2, 3, 4, 5, 70],
  });
}

const aidHit = { dataType: 'android-id' as const, form: 'plain', location: 'body', value: '9774d56d682e549c' };
const UMENG = ['com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:88)', 'com.example.app.App.onCreate(App.java:20)'];

describe('consentry analyze / rules / policy', () => {
  it('analyze: fails the pre-consent Umeng app, writes findings.json and exits 1', async () => {
    const dir = await writeTestBundle(work, {
      markers: [marker('app.launch', T0), marker('consent.shown', T0 + 600), marker('consent.accepted', T0 + 5000)],
      events: [hookEvent('android-id', T0 + 1200, { stack: UMENG })],
      flows: [flow('https://alog.umeng.com/app_logs', T0 + 1300, { hits: [aidHit] })],
    });
    const r = await cli(['analyze', dir, '--policy', join(fixtures, 'policy-zh.txt'), '--analysed-at', '1000']);
    expect(r.code).toBe(EXIT.findings);
    expect(r.stdout).toContain('Verdict: FAIL');
    expect(r.stdout).toContain('The Umeng SDK read the Android ID 1.2 s after launch, before the privacy policy was accepted, and sent it to alog.umeng.com.');
    const doc = FindingsDoc.parse(JSON.parse(readFileSync(join(dir, BUNDLE_FILES.findings), 'utf8')));
    expect(doc.analysedAt).toBe(1000);
    expect(doc.findings.map((f) => f.ruleId)).toEqual(['CONSENT-PRE-COLLECT']);

    const json = await cli(['--json', 'analyze', dir, '--policy', join(fixtures, 'policy-zh.txt'), '--fail-on', 'never', '--analysed-at', '1000']);
    expect(json.code).toBe(EXIT.ok);
    expect(JSON.parse(json.stdout)).toMatchObject({ verdict: 'fail', ruleSet: 'cn-miit', findings: doc.findings });
  });

  it('analyze: exits 4 when the run was blind, and 2 on a broken double list', async () => {
    const dir = await writeTestBundle(work, { run: { coverage: { instrumentation: 'unavailable', traffic: 'active' } }, flows: [flow('https://api.example.com/', T0)] });
    const r = await cli(['analyze', dir, '--declared', join(fixtures, 'double-list.yaml')]);
    expect(r.code).toBe(EXIT.inconclusive);
    expect(r.stdout).toContain('Verdict: INCONCLUSIVE');
    expect(r.stdout).toContain('why: instrumentation was unavailable');
    const broken = await cli(['analyze', dir, '--declared', join(fixtures, 'double-list-broken.yaml')]);
    expect(broken.code).toBe(EXIT.usage);
    expect(broken.stderr.trim()).toBe(`consentry: ${join(fixtures, 'double-list-broken.yaml')}:4, field "collection.1.dataType": unknown data type: expected a data-type id (android-id, location, installed-apps…) or a term from the policy lexicon (设备识别码, 位置信息…) in the double list`);
  });

  it('rules: lists the catalogue as the lab configured it', async () => {
    writeFileSync(config, 'ruleSet: eu\nrules:\n  CONSENT-NO-DIALOG:\n    thresholds: { windowSeconds: 30 }\n  CONSENT-IMPLICIT:\n    enabled: false\n  TRANSPORT-CLEARTEXT:\n    enabled: true\n    severity: high\n');
    try {
      const r = await cli(['--json', 'rules']);
      expect(r.code).toBe(EXIT.ok);
      const out = JSON.parse(r.stdout) as { ruleSet: string; rules: { id: string; severity: string; sources: string[]; thresholds: Record<string, { value: unknown }> }[] };
      expect(out.ruleSet).toBe('eu');
      expect(out.rules.map((x) => x.id)).toEqual(['CONSENT-NO-DIALOG', 'CONSENT-PRE-COLLECT', 'CONSENT-AFTER-REFUSAL', 'TRANSPORT-CLEARTEXT', 'INTEGRITY-REPACKAGED']);
      expect(out.rules[0]!.thresholds.windowSeconds!.value).toBe(30);
      expect(out.rules[3]).toMatchObject({ severity: 'high', sources: ['GB/T 35273'] });
      const table = await cli(['rules', '--rule-set', 'cn-miit']);
      expect(table.stdout).toMatch(/^CONSENT-NO-DIALOG\s+high\s+RD 一\.2\s+windowSeconds=30$/m);
      writeFileSync(config, 'rules:\n  SCOPE-FREQUENCY:\n    thresholds: { maxcalls: 3 }\n');
      const bad = await cli(['rules']);
      expect(bad.code).toBe(EXIT.usage);
      expect(bad.stderr).toContain('field "rules.SCOPE-FREQUENCY.thresholds.maxcalls": unknown threshold for SCOPE-FREQUENCY: expected maxCalls, windowSeconds');
    } finally {
      writeFileSync(config, 'logLevel: silent\n');
    }
  });

  it('policy: prints declarations with their sentences, and JSON for scripts', async () => {
    const r = await cli(['policy', join(fixtures, 'policy-zh.txt')]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^location\s+the location\s+位置信息\s+policy-zh\.txt:4\s+1?\.? ?为提供天气预报服务/m);
    expect(r.stdout).toMatch(/^contacts\s+不会收集\s+我们不会收集您的通讯录/m);
    const json = await cli(['--json', 'policy', join(fixtures, 'sdk-table-zh.html'), join(fixtures, 'double-list.csv')]);
    const decl = JSON.parse(json.stdout) as { sdks: { id?: string }[] };
    expect(decl.sdks.map((s) => s.id)).toEqual(['jpush', 'amap', 'tencent-bugly', 'pangle', 'jpush']);
  });
});

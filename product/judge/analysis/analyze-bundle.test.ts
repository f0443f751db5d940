import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, T0, writeTestBundle } from '../../evidence/bundle/test-support/factories.js';
import { readBundle } from '../../evidence/bundle/reader.js';
import { BUNDLE_FILES, FindingsDoc } from '../../contracts/bundle-schema.js';
import { InputError } from '../../core/errors.js';
import { declarationsFromText, readPolicyFile } from '../policy/index.js';
import { analyzeBundle } from './analyze-bundle.js';
import { APP_STACK, UMENG_STACK } from './test-support/rule-harness.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const temp = tempDirs('consentry-analysis');
const root = () => temp.make();
const fixture = (name: string) => join(import.meta.dirname, '..', 'policy', 'fixtures', name);
const aidHit = { dataType: 'android-id' as const, form: 'plain', location: 'body', value: '9774d56d682e549c' };

/** An app that does everything right: prompt at once, collects after acceptance, declares it all. */
function compliant() {
  return {
    markers: [marker('app.launch', T0), marker('consent.shown', T0 + 700), marker('consent.accepted', T0 + 4000)],
    events: [hookEvent('location', T0 + 6000, { stack: APP_STACK })],
    flows: [flow('https://api.example.com/weather?city=bj', T0 + 6500)],
  };
}

/** The Umeng case from the issue: Android ID read 1.2 s after launch and sent before consent. */
function umeng() {
  return {
    markers: [marker('app.launch', T0), marker('consent.shown', T0 + 700), marker('consent.accepted', T0 + 4000)],
    events: [hookEvent('android-id', T0 + 1200, { stack: UMENG_STACK })],
    flows: [flow('https://alog.umeng.com/app_logs', T0 + 1400, { hits: [aidHit] })],
  };
}

describe('analyzeBundle', () => {
  it('passes a compliant app and writes a valid findings.json', async () => {
    const dir = await writeTestBundle(root(), compliant());
    const decl = readPolicyFile(fixture('double-list.yaml'));
    const { doc, written } = await analyzeBundle(dir, { declarations: decl, analysedAt: 1 });
    expect(doc.reasons).toEqual([]);
    expect(doc.verdict).toBe('pass');
    expect(FindingsDoc.parse(JSON.parse(readFileSync(written!, 'utf8')))).toEqual(doc);
    expect((await readBundle(dir)).findings?.verdict).toBe('pass');
  });

  it('fails the Umeng app with the sentence a person can read', async () => {
    const dir = await writeTestBundle(root(), umeng());
    const { doc } = await analyzeBundle(dir, { declarations: declarationsFromText('我们会收集您的位置信息。详见《个人信息收集清单》和《第三方共享清单》。'), analysedAt: 1 });
    expect(doc.verdict).toBe('fail');
    expect(doc.findings.map((f) => f.ruleId)).toEqual(['CONSENT-PRE-COLLECT', 'SCOPE-UNDECLARED-SDK', 'SCOPE-UNDECLARED-RECIPIENT', 'SCOPE-UNDECLARED-DATA']);
    expect(doc.findings[0]!.statement).toBe('The Umeng SDK read the Android ID 1.2 s after launch, before the privacy policy was accepted, and sent it to alog.umeng.com.');
  });

  it('is deterministic: same bundle, same bytes, whatever the record order', async () => {
    const a = umeng();
    const dirA = await writeTestBundle(root(), a);
    const dirB = await writeTestBundle(root(), { markers: [...a.markers].reverse(), events: [...a.events].reverse(), flows: [...a.flows].reverse(), run: { runId: 'x' } });
    const first = (await analyzeBundle(dirA, { analysedAt: 5 })).doc;
    const again = readFileSync(join(dirA, BUNDLE_FILES.findings), 'utf8');
    await analyzeBundle(dirA, { analysedAt: 5 });
    expect(readFileSync(join(dirA, BUNDLE_FILES.findings), 'utf8')).toBe(again);
    const second = (await analyzeBundle(dirB, { analysedAt: 5 })).doc;
    expect(second.findings).toEqual(first.findings);
  });

  it('judges against the declarations.json the pipeline stored in the bundle', async () => {
    const dir = await writeTestBundle(root(), umeng());
    writeFileSync(join(dir, BUNDLE_FILES.declarations), JSON.stringify(readPolicyFile(fixture('policy-zh.txt'))));
    const result = await analyzeBundle(dir, { analysedAt: 1 });
    expect(result.declarationsFrom).toBe('bundle');
    expect(result.doc.findings.map((f) => f.ruleId)).toEqual(['CONSENT-PRE-COLLECT']);
  });

  it('is inconclusive, with reasons, when the tool could not see', async () => {
    const blind = await writeTestBundle(root(), {
      run: { coverage: { instrumentation: 'died', traffic: 'active', tlsFailures: 3 } },
      markers: [marker('consent.not-found', T0 + 15_000), marker('instrumentation.died', T0 + 2000)],
      flows: [flow('https://api.example.com/x', T0)],
    });
    const { doc } = await analyzeBundle(blind, { declarations: readPolicyFile(fixture('double-list.yaml')), analysedAt: 1 });
    expect(doc.verdict).toBe('inconclusive');
    expect(doc.reasons).toEqual([
      'instrumentation died 2.0 s into the run, so later API calls were not observed',
      'TLS was not intercepted for 3 connections (certificate pinning or an untrusted CA), so their contents were not seen',
      'the consent dialog was not found',
    ]);
    // No flow, and nothing proves the capture path (the traffic stage never reported active).
    const quiet = await writeTestBundle(root(), { run: { coverage: { instrumentation: 'active' } }, markers: [marker('app.launch', T0), marker('app.crash', T0 + 800)] });
    const q = (await analyzeBundle(quiet, { analysedAt: 1 })).doc;
    expect(q.verdict).toBe('inconclusive');
    expect(q.reasons).toEqual(expect.arrayContaining(['no network traffic was captured', 'the app crashed on launch']));
  });

  it('applies the rule set and the lab overrides', async () => {
    const dir = await writeTestBundle(root(), umeng());
    const eu = (await analyzeBundle(dir, { ruleSet: 'eu', analysedAt: 1 })).doc;
    expect(eu.ruleSet).toBe('eu');
    expect(eu.findings.map((f) => [f.ruleId, f.sources])).toEqual([['CONSENT-PRE-COLLECT', ['ePrivacy 5(3)', 'GDPR 6']]]);
    expect(eu.findings[0]!.statement).toMatch(/before consent was given/);
    const off = (await analyzeBundle(dir, { overrides: { 'CONSENT-PRE-COLLECT': { enabled: false } }, analysedAt: 1 })).doc;
    expect(off.findings.map((f) => f.ruleId)).not.toContain('CONSENT-PRE-COLLECT');
    const low = (await analyzeBundle(dir, { overrides: { 'CONSENT-PRE-COLLECT': { severity: 'low' } }, analysedAt: 1 })).doc;
    expect(low.findings[0]!.severity).toBe('low');
  });

  it('rejects overrides that do not exist, naming the config field', async () => {
    const dir = await writeTestBundle(root(), umeng());
    await expect(analyzeBundle(dir, { overrides: { 'CONSENT-PRECOLLECT': { enabled: false } }, configFile: 'lab.yaml' })).rejects.toThrow(
      /lab\.yaml, field "rules\.CONSENT-PRECOLLECT": unknown rule id/,
    );
    await expect(analyzeBundle(dir, { overrides: { 'SCOPE-FREQUENCY': { thresholds: { maxcalls: 3 } } } })).rejects.toThrow(InputError);
    await expect(analyzeBundle(dir, { overrides: { 'SCOPE-FREQUENCY': { thresholds: { maxCalls: 'ten' } } } })).rejects.toThrow(/field "rules\.SCOPE-FREQUENCY\.thresholds\.maxCalls": expected a number/);
  });

  it('rejects a damaged declarations.json with the field that is wrong', async () => {
    const dir = await writeTestBundle(root(), umeng());
    writeFileSync(join(dir, BUNDLE_FILES.declarations), JSON.stringify({ version: 1, dataTypes: [{ dataType: 'imei' }] }));
    await expect(analyzeBundle(dir)).rejects.toThrow(/declarations\.json, field "dataTypes\.0\.dataType"/);
  });
});

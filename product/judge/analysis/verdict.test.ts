import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, runMeta, T0 } from '../../evidence/bundle/test-support/factories.js';
import { judgeAll, UMENG_STACK } from './test-support/rule-harness.js';
import { coverageReasons, decideVerdict } from './verdict.js';

const base = { run: runMeta(), flows: [flow('https://api.example.com/', T0)] };

describe('coverageReasons: the privacy-policy search', () => {
  it('makes a run without findings inconclusive when the search could not look', () => {
    const noEntry = coverageReasons({ ...base, markers: [marker('note', T0, { data: { policySearch: 'no-entry', policyTaps: 0 } })] }, []);
    expect(noEntry).toEqual(['the privacy-policy search could not judge whether the policy is reachable: its main screen shows no privacy, about, settings or me entry the search recognises']);
    expect(decideVerdict([], noEntry)).toBe('inconclusive');
    const blocked = coverageReasons({ ...base, markers: [marker('note', T0, { data: { policySearch: 'blocked', reason: 'a pop-up covers the main screen' } })] }, []);
    expect(blocked[0]).toMatch(/could not judge .*: a pop-up covers the main screen$/);
  });

  it('says nothing when a search judged, or when the run did not search', () => {
    const found = [marker('note', T0, { data: { policySearch: 'blocked' } }), marker('note', T0 + 1, { data: { policySearch: 'found', policyTaps: 2 } })];
    expect(coverageReasons({ ...base, markers: found }, [])).toEqual([]);
    expect(coverageReasons({ ...base, markers: [marker('app.launch', T0)] }, [])).toEqual([]);
  });
});

describe('verdict when the tool could not see', () => {
  const proven = runMeta({ coverage: { traffic: 'active', instrumentation: 'active', tlsFailures: 0 } });

  it('takes silence as evidence when traffic, TLS interception and hooks were all working', () => {
    const quiet = coverageReasons({ run: proven, flows: [], markers: [marker('app.launch', T0), marker('consent.refused', T0 + 3000)] }, []);
    expect(quiet).toEqual([]);
    expect(decideVerdict([], quiet)).toBe('pass');
  });

  it('keeps silence inconclusive when the capture path is unproven, and honours a canary', () => {
    const blindHooks = runMeta({ coverage: { traffic: 'active', instrumentation: 'died' } });
    expect(coverageReasons({ run: blindHooks, flows: [], markers: [] }, [])).toContain('no network traffic was captured');
    const canaryPassed = runMeta({ coverage: { traffic: 'active', instrumentation: 'unavailable', canary: 'passed' } as never });
    expect(coverageReasons({ run: canaryPassed, flows: [], markers: [] }, []).some((r) => r.startsWith('no network traffic'))).toBe(false);
    const canaryFailed = runMeta({ coverage: { traffic: 'active', instrumentation: 'active', canary: 'failed' } as never });
    expect(coverageReasons({ run: canaryFailed, flows: [], markers: [] }, [])[0]).toMatch(/test request .* never arrived/);
  });

  it('is inconclusive, not fail, when the dialog was not found and collection came only after the screen was touched', () => {
    const markers = [
      marker('app.launch', T0),
      marker('step', T0 + 1000, { step: 2, tEnd: T0 + 16_000, label: 'consent: refuse', data: { kind: 'consent' } }),
      marker('consent.not-found', T0 + 16_000, { step: 2, data: { action: 'refuse', timeoutS: 15 } }),
      marker('step', T0 + 17_000, { step: 3, tEnd: T0 + 18_000, label: 'dismiss-popups', data: { kind: 'dismiss-popups' } }),
    ];
    const late = judgeAll({ run: proven, markers, events: [hookEvent('android-id', T0 + 20_000, { stack: UMENG_STACK })] });
    const reasons = coverageReasons({ run: proven, flows: [], markers }, late.notJudged);
    expect(late.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(reasons).toContain('the consent dialog was not found, so collection after refusal was not tested');
    expect(decideVerdict(late.findings, reasons)).toBe('inconclusive');
    // A read 0.2 s after launch, before anything was pressed, is before consent whatever the dialog was.
    const early = judgeAll({ run: proven, markers, events: [hookEvent('android-id', T0 + 200, { stack: UMENG_STACK })] });
    expect(early.findings.map((f) => f.ruleId)).toContain('CONSENT-PRE-COLLECT');
    expect(decideVerdict(early.findings, reasons)).toBe('fail');
  });

  it('names a catalogue SDK whose name already ends in SDK once', () => {
    const oaid = ['android.provider.Settings$Secure.getString(Native Method)', 'com.bun.miitmdid.core.MdidSdkHelper.InitSdk(MdidSdkHelper.java:1)', 'com.example.app.App.onCreate(App.java:20)'];
    const run = judgeAll({ run: proven, markers: [marker('app.launch', T0)], events: [hookEvent('android-id', T0 + 200, { stack: oaid })] });
    const statements = run.findings.map((f) => f.statement).join('\n');
    expect(statements).toMatch(/The MSA OAID SDK read/);
    expect(statements).not.toMatch(/SDK SDK/);
  });
});

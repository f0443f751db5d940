import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, UMENG_STACK, APP_STACK } from '../test-support/rule-harness.js';
import { rule } from './consent-pre-collect.js';

const hit = { dataType: 'android-id' as const, form: 'plain', location: 'body', value: '9774d56d682e549c' };

describe('CONSENT-PRE-COLLECT', () => {
  it('reports an SDK that reads and sends an identifier before the policy is accepted', () => {
    const launch = marker('app.launch', T0);
    const [f, ...rest] = judge(rule, {
      markers: [launch, marker('consent.shown', T0 + 500), marker('consent.accepted', T0 + 8000)],
      events: [hookEvent('android-id', T0 + 1200, { stack: UMENG_STACK })],
      flows: [flow('https://alog.umeng.com/app_logs', T0 + 1500, { hits: [hit] })],
    });
    expect(rest).toHaveLength(0);
    expect(f!.statement).toBe('The Umeng SDK read the Android ID 1.2 s after launch, before the privacy policy was accepted, and sent it to alog.umeng.com.');
    expect(f!.sdk).toBe('umeng');
    expect(f!.evidence.events).toHaveLength(1);
    expect(f!.evidence.flows).toHaveLength(1);
  });

  it('counts a throwing API as an attempt, and a scenario that never accepts as before consent', () => {
    const [f] = judge(rule, {
      markers: [marker('app.launch', T0), marker('consent.shown', T0 + 500)],
      events: [hookEvent('device-id', T0 + 2000, { api: 'android.telephony.TelephonyManager.getImei', stack: UMENG_STACK, outcome: { kind: 'threw', error: 'SecurityException' } })],
    });
    expect(f!.statement).toMatch(/^The Umeng SDK tried to read the IMEI\/MEID 2\.0 s after launch/);
  });

  it('accepts collection after acceptance and exempt types before it', () => {
    const markers = [marker('app.launch', T0), marker('consent.accepted', T0 + 3000)];
    const events = [hookEvent('network-info', T0 + 100, { stack: APP_STACK }), hookEvent('location', T0 + 4000, { stack: APP_STACK })];
    expect(judge(rule, { markers, events })).toEqual([]);
    expect(judge(rule, { markers, events }, { thresholds: { exempt: '' } })).toHaveLength(1);
  });

  it('starts over after a reinstall: consent from the first install does not carry over', () => {
    const markers = [marker('app.launch', T0), marker('consent.accepted', T0 + 1000), marker('app.install', T0 + 10_000), marker('app.launch', T0 + 11_000)];
    const [f] = judge(rule, { markers, events: [hookEvent('location', T0 + 12_000, { stack: APP_STACK })] });
    expect(f!.statement).toMatch(/^The app read the location 1\.0 s after launch/);
  });

  it('takes consent from the press time the scenario records (data.tPressed), not a guess', () => {
    // The app starts collecting 100 ms after the press; the dialog was seen gone 2 s later.
    // (A read within the clock offset's uncertainty before the press counts as after it.)
    const step = marker('step', T0 + 1000, { step: 2, tEnd: T0 + 9000, label: 'consent: accept', data: { kind: 'consent' } });
    const accepted = marker('consent.accepted', T0 + 8000, { step: 2, data: { tPressed: T0 + 6000 } });
    const events = [hookEvent('location', T0 + 6100, { stack: APP_STACK })];
    expect(judge(rule, { markers: [marker('app.launch', T0), step, accepted], events })).toEqual([]);
    // Read before the press: before consent, even though it falls in the 5 s the heuristic would forgive.
    const early = [hookEvent('location', T0 + 5000, { stack: APP_STACK })];
    expect(judge(rule, { markers: [marker('app.launch', T0), step, accepted], events: early })).toHaveLength(1);
    const guessed = marker('consent.accepted', T0 + 8000, { step: 2 });
    expect(judge(rule, { markers: [marker('app.launch', T0), step, guessed], events: early })).toEqual([]);
  });

  it('judges only collection before the first act on the screen when the dialog was not found', () => {
    const markers = [
      marker('app.launch', T0),
      marker('consent.not-found', T0 + 15_000, { step: 2, data: { action: 'accept' } }),
      marker('step', T0 + 16_000, { step: 3, tEnd: T0 + 17_000, label: 'tap: 开始', data: { kind: 'tap' } }),
    ];
    const [f, ...rest] = judge(rule, { markers, events: [hookEvent('location', T0 + 300, { stack: APP_STACK }), hookEvent('location', T0 + 20_000, { stack: APP_STACK })] });
    expect(rest).toHaveLength(0);
    expect(f!.evidence.events).toHaveLength(1);
    expect(judge(rule, { markers, events: [hookEvent('location', T0 + 20_000, { stack: APP_STACK })] })).toEqual([]);
  });
});

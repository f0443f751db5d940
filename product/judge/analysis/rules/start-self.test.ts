import { describe, expect, it } from 'vitest';
import { marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './start-self.js';

describe('START-SELF', () => {
  it('reports a process started by an alarm with no user action, and another app launched', () => {
    const markers = [
      marker('step', T0, { tEnd: T0 + 1000, label: 'launch', data: { action: 'launch' } }),
      marker('step', T0 + 1000, { tEnd: T0 + 60_000, label: 'observe 59 s', data: { action: 'observe' } }),
      marker('process.start', T0 + 30_000, { data: { process: 'com.example.app:push', cause: 'alarm' } }),
      marker('package.switch', T0 + 40_000, { data: { package: 'com.other.shop' } }),
    ];
    const found = judge(rule, { markers });
    expect(found.map((f) => f.statement)).toEqual(['The app started itself 1 time (by alarm) with no user action before it.', 'The app launched com.other.shop with no user action before it.']);
  });

  it('accepts starts right after a user step, activity starts, and system packages', () => {
    const markers = [
      marker('step', T0, { tEnd: T0 + 1000, label: 'launch', data: { action: 'launch' } }),
      marker('process.start', T0 + 1500, { data: { process: 'com.example.app:push', cause: 'service' } }),
      marker('process.start', T0 + 30_000, { data: { process: 'com.example.app', cause: 'activity' } }),
      marker('package.switch', T0 + 35_000, { data: { package: 'com.android.permissioncontroller' } }),
      marker('user.action', T0 + 50_000),
      marker('package.switch', T0 + 51_000, { data: { package: 'com.tencent.mm' } }),
    ];
    expect(judge(rule, { markers })).toEqual([]);
  });

  it('does not take launching the app for asking it to open another one (a splash ad jumping away)', () => {
    const markers = [
      marker('step', T0, { tEnd: T0 + 1000, label: 'launch: Cold-start the app with monkey.', data: { kind: 'launch' } }),
      marker('process.start', T0 + 200, { data: { process: 'com.example.app', cause: 'pre-top-activity' } }),
      marker('package.switch', T0 + 2500, { data: { from: 'com.example.app', to: 'com.android.chrome' } }),
    ];
    expect(judge(rule, { markers }).map((f) => f.statement)).toEqual(['The app launched com.android.chrome with no user action before it.']);
    const tapped = [...markers, marker('user.action', T0 + 2000, { data: { action: 'tap' } })];
    expect(judge(rule, { markers: tapped })).toEqual([]);
    const home = [...markers, marker('user.action', T0 + 2000, { data: { action: 'home' } })];
    expect(judge(rule, { markers: home })).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './perm-forced.js';

const LOC = 'android.permission.ACCESS_FINE_LOCATION';

describe('PERM-FORCED', () => {
  it('reports an app that quits when a permission is denied', () => {
    const [f] = judge(rule, { markers: [marker('permission.denied', T0, { data: { permission: LOC } }), marker('app.exit', T0 + 1500)] });
    expect(f!.statement).toBe('The app closed itself 1.5 s after the user denied the location permission (ACCESS_FINE_LOCATION).');
  });

  it('reports a prompt loop and a blocking screen', () => {
    const loop = [marker('permission.denied', T0, { data: { permission: LOC } }), marker('permission.requested', T0 + 500, { data: { permission: LOC } }), marker('permission.requested', T0 + 1500, { data: { permission: LOC } })];
    expect(judge(rule, { markers: loop })[0]!.statement).toMatch(/asked again 2 times in a row/);
    const blocking = [marker('permission.denied', T0, { data: { permission: LOC } }), marker('popup.shown', T0 + 500, { data: { blocking: true } })];
    expect(judge(rule, { markers: blocking })[0]!.statement).toMatch(/blocks further use/);
  });

  it('accepts an app that keeps working, an exit long after, and essential permissions', () => {
    expect(judge(rule, { markers: [marker('permission.denied', T0, { data: { permission: LOC } }), marker('app.exit', T0 + 60_000)] })).toEqual([]);
    expect(judge(rule, { markers: [marker('permission.denied', T0, { data: { permission: LOC } }), marker('app.exit', T0 + 1000)] }, { thresholds: { essential: 'ACCESS_FINE_LOCATION' } })).toEqual([]);
  });
});

describe('PERM-FORCED with the scenario stage\u2019s markers', () => {
  it('does not blame the app for an exit the scenario caused (a relaunch step)', () => {
    const denied = marker('permission.denied', T0, { data: { permission: LOC } });
    const relaunch = marker('step', T0 + 2000, { tEnd: T0 + 2600, label: 'relaunch: Stop the app and start it again with monkey.', data: { kind: 'relaunch' } });
    expect(judge(rule, { markers: [denied, relaunch, marker('app.exit', T0 + 2100)] })).toEqual([]);
    // Asking again after the relaunch is a re-prompt (PERM-REPROMPT), not a prompt loop.
    const asks = [marker('app.launch', T0 + 2600), marker('permission.requested', T0 + 3000, { data: { permission: LOC } }), marker('permission.requested', T0 + 3500, { data: { permission: LOC } })];
    expect(judge(rule, { markers: [denied, relaunch, marker('app.exit', T0 + 2100), ...asks] })).toEqual([]);
    // The same exit with no step under way is the app's own.
    expect(judge(rule, { markers: [denied, marker('app.exit', T0 + 2100)] })).toHaveLength(1);
  });

  it('reads the blocking screen the scenario notes after a denial, by permission group', () => {
    const markers = [
      marker('permission.denied', T0, { data: { group: 'phone' } }),
      marker('note', T0 + 3000, { data: { blocking: true, text: '未获得电话权限，无法进入游戏。', deniedGroups: 'phone' } }),
    ];
    expect(judge(rule, { markers })[0]!.statement).toBe('The app showed a screen that blocks further use 3.0 s after the user denied the phone permission.');
  });

  it('does not count checkSelfPermission calls after a denial as a prompt loop', () => {
    const markers = [marker('permission.denied', T0, { data: { group: 'location' } })];
    const check = (t: number) => hookEvent('permission-request', t, { api: 'androidx.core.content.ContextCompat.checkSelfPermission', permissions: [LOC] });
    expect(judge(rule, { markers, events: [check(T0 + 100), check(T0 + 200), check(T0 + 300)] })).toEqual([]);
    const request = (t: number) => hookEvent('permission-request', t, { api: 'android.app.Activity.requestPermissions', permissions: [LOC] });
    expect(judge(rule, { markers, events: [request(T0 + 100), request(T0 + 200)] })[0]!.statement).toMatch(/asked again 2 times in a row/);
  });
});

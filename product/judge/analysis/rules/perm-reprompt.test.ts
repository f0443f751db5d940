import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './perm-reprompt.js';

const CAM = 'android.permission.CAMERA';

describe('PERM-REPROMPT', () => {
  it('reports a denied permission asked for again on relaunch', () => {
    const markers = [
      marker('app.launch', T0),
      marker('permission.requested', T0 + 1000, { data: { permission: CAM } }),
      marker('permission.denied', T0 + 2000, { data: { permission: CAM } }),
      marker('app.launch', T0 + 10_000),
      marker('permission.requested', T0 + 11_000, { data: { permission: CAM } }),
    ];
    const [f, ...rest] = judge(rule, { markers });
    expect(rest).toHaveLength(0);
    expect(f!.statement).toBe('The app asked again for the camera permission (CAMERA) 9.0 s after the user denied it, on the next launch.');
  });

  it('accepts a request after a fresh install, or outside the window', () => {
    const markers = [
      marker('permission.denied', T0, { data: { permission: CAM } }),
      marker('app.install', T0 + 5000),
      marker('permission.requested', T0 + 6000, { data: { permission: CAM } }),
    ];
    expect(judge(rule, { markers })).toEqual([]);
    const late = [marker('permission.denied', T0, { data: { permission: CAM } }), marker('permission.requested', T0 + 3 * 3_600_000, { data: { permission: CAM } })];
    expect(judge(rule, { markers: late }, { thresholds: { windowHours: 2 } })).toEqual([]);
    expect(judge(rule, { markers: late })).toHaveLength(1);
  });
});

describe('PERM-REPROMPT with the scenario stage’s markers', () => {
  it('pairs permission groups in markers with permission names in hooks', () => {
    const markers = [marker('permission.denied', T0, { data: { group: 'location' } })];
    const events = [hookEvent('permission-request', T0 + 4000, { api: 'android.app.Activity.requestPermissions', permissions: ['android.permission.ACCESS_COARSE_LOCATION'] })];
    const [f] = judge(rule, { markers, events });
    expect(f!.statement).toBe('The app asked again for the location permission 4.0 s after the user denied it.');
  });
});

describe('PERM-REPROMPT with checkSelfPermission', () => {
  it('does not take a check of the denied permission for asking again, by the api that was hooked', () => {
    const markers = [marker('permission.denied', T0, { data: { group: 'camera' } })];
    const checks = ['androidx.core.content.ContextCompat.checkSelfPermission', 'android.content.Context.checkSelfPermission', 'android.app.Activity.shouldShowRequestPermissionRationale'].map((api) =>
      hookEvent('permission-request', T0 + 1000, { api, permissions: [CAM] }),
    );
    expect(judge(rule, { markers, events: checks })).toEqual([]);
    const request = hookEvent('permission-request', T0 + 2000, { api: 'androidx.core.app.ActivityCompat.requestPermissions', permissions: [CAM] });
    expect(judge(rule, { markers, events: [...checks, request] })[0]!.evidence.events).toEqual([request.id]);
  });
});

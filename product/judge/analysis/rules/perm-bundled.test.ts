import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './perm-bundled.js';

const req = (t: number, permission: string) => marker('permission.requested', t, { data: { permission: `android.permission.${permission}` } });

describe('PERM-BUNDLED', () => {
  it('reports three permission groups asked right after consent, before any user action', () => {
    const markers = [marker('consent.accepted', T0), req(T0 + 100, 'ACCESS_FINE_LOCATION'), req(T0 + 200, 'READ_PHONE_STATE'), req(T0 + 300, 'CAMERA')];
    const [f] = judge(rule, { markers });
    expect(f!.statement).toBe('The app asked for 3 permissions (location, phone and camera) right after the policy was accepted, before the user did anything that needs them (limit 2).');
  });

  it('counts FINE and COARSE location as one group, and stops counting at the first user action', () => {
    const markers = [
      marker('consent.accepted', T0),
      req(T0 + 100, 'ACCESS_FINE_LOCATION'),
      req(T0 + 100, 'ACCESS_COARSE_LOCATION'),
      req(T0 + 200, 'READ_PHONE_STATE'),
      marker('user.action', T0 + 5000),
      req(T0 + 6000, 'CAMERA'),
    ];
    expect(judge(rule, { markers })).toEqual([]);
  });
});

describe('PERM-BUNDLED with hooks and press times', () => {
  it('counts requestPermissions hooks but not checkSelfPermission', () => {
    const api = (method: string, p: string, t: number) => hookEvent('permission-request', t, { api: method, permissions: [`android.permission.${p}`] });
    const checks = ['ACCESS_FINE_LOCATION', 'READ_PHONE_STATE', 'CAMERA'].map((p, i) => api('androidx.core.content.ContextCompat.checkSelfPermission', p, T0 + 100 + i));
    expect(judge(rule, { markers: [marker('consent.accepted', T0)], events: checks })).toEqual([]);
    const requests = ['ACCESS_FINE_LOCATION', 'READ_PHONE_STATE', 'CAMERA'].map((p, i) => api('android.app.Activity.requestPermissions', p, T0 + 100 + i));
    expect(judge(rule, { markers: [marker('consent.accepted', T0)], events: [...checks, ...requests] })).toHaveLength(1);
  });

  it('starts counting at the consent press (data.tPressed), not when the dialog was seen gone', () => {
    const markers = [marker('consent.accepted', T0 + 2000, { data: { tPressed: T0 } }), req(T0 + 100, 'ACCESS_FINE_LOCATION'), req(T0 + 200, 'READ_PHONE_STATE'), req(T0 + 300, 'CAMERA')];
    expect(judge(rule, { markers })).toHaveLength(1);
    // Without the press time, counting starts at the marker and misses them.
    expect(judge(rule, { markers: [marker('consent.accepted', T0 + 2000), ...markers.slice(1)] })).toEqual([]);
  });
});

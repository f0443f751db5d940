import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './consent-pre-permission.js';

const FINE = 'android.permission.ACCESS_FINE_LOCATION';

describe('CONSENT-PRE-PERMISSION', () => {
  it('reports a permission prompt before the policy is accepted', () => {
    const [f] = judge(rule, {
      markers: [marker('app.launch', T0), marker('permission.requested', T0 + 800, { data: { permission: FINE } }), marker('consent.accepted', T0 + 5000)],
    });
    expect(f!.statement).toBe('The app asked for the location permission (ACCESS_FINE_LOCATION) 0.8 s after launch, before the privacy policy was accepted.');
  });

  it('also reads the requestPermissions hook, but not checkSelfPermission', () => {
    const req = hookEvent('permission-request', T0 + 100, { api: 'android.app.Activity.requestPermissions', permissions: [FINE] });
    const check = hookEvent('permission-request', T0 + 100, { api: 'androidx.core.content.ContextCompat.checkSelfPermission', permissions: [FINE] });
    expect(judge(rule, { markers: [marker('app.launch', T0)], events: [req] })).toHaveLength(1);
    expect(judge(rule, { markers: [marker('app.launch', T0)], events: [check] })).toEqual([]);
    const rationale = hookEvent('permission-request', T0 + 100, { api: 'androidx.core.app.ActivityCompat.shouldShowRequestPermissionRationale', permissions: [FINE] });
    expect(judge(rule, { markers: [marker('app.launch', T0)], events: [rationale] })).toEqual([]);
  });

  it('accepts prompts after acceptance', () => {
    expect(judge(rule, { markers: [marker('app.launch', T0), marker('consent.accepted', T0 + 1000), marker('permission.requested', T0 + 2000, { data: { permission: FINE } })] })).toEqual([]);
  });
});

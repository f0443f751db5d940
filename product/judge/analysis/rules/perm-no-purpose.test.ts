import { describe, expect, it } from 'vitest';
import { marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './perm-no-purpose.js';

const LOC = 'android.permission.ACCESS_FINE_LOCATION';

describe('PERM-NO-PURPOSE', () => {
  it('reports a prompt with no purpose explanation before it', () => {
    const [f] = judge(rule, { markers: [marker('permission.requested', T0, { data: { permission: LOC } })] });
    expect(f!.statement).toBe('The app asked for the location permission without first explaining on screen what it is for.');
  });

  it('accepts a prompt explained just before, but not one explained long before', () => {
    const ok = [marker('permission.purpose-shown', T0 - 2000, { data: { permission: LOC } }), marker('permission.requested', T0, { data: { permission: LOC } })];
    expect(judge(rule, { markers: ok })).toEqual([]);
    const stale = [marker('permission.purpose-shown', T0 - 60_000, { data: { permission: LOC } }), marker('permission.requested', T0, { data: { permission: LOC } })];
    expect(judge(rule, { markers: stale })).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { marker, T0 } from '../../bundle/factories.js';
import { judge } from '../testing.js';
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

import { describe, expect, it } from 'vitest';
import { marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './policy-unreachable.js';

describe('POLICY-UNREACHABLE', () => {
  it('reports a policy the search could not find, or found too deep', () => {
    const [notFound] = judge(rule, { markers: [marker('note', T0, { data: { policySearch: 'not-found', policyTaps: 8 } })] });
    expect(notFound!.statement).toBe('The privacy policy could not be found from the main screen after 8 taps.');
    const [deep] = judge(rule, { markers: [marker('note', T0, { data: { policySearch: 'found', policyTaps: 6 } })] });
    expect(deep!.statement).toMatch(/took 6 taps .*limit 4/);
  });

  it('accepts a policy reached within the limit, and does not judge runs that did not look', () => {
    expect(judge(rule, { markers: [marker('note', T0, { data: { policySearch: 'found', policyTaps: 3 } })] })).toEqual([]);
    expect(judge(rule, { markers: [marker('note', T0, { data: { policySearch: 'found', policyTaps: 6 } })] }, { thresholds: { maxTaps: 6 } })).toEqual([]);
    expect(judge(rule, { markers: [marker('app.launch', T0)] })).toEqual([]);
  });

  it('reads the markers the find-policy step writes, and does not judge a search that could not look', () => {
    const found = marker('note', T0, { data: { policySearch: 'found', policyTaps: 2, path: '我的 › 隐私政策', maxTaps: 4 } });
    expect(judge(rule, { markers: [found] })).toEqual([]);
    for (const policySearch of ['no-entry', 'blocked', 'incomplete']) {
      expect(judge(rule, { markers: [marker('note', T0, { data: { policySearch, policyTaps: 0 } })] }), policySearch).toEqual([]);
    }
    const [f] = judge(rule, { markers: [marker('note', T0, { ui: 'u3', data: { policySearch: 'not-found', policyTaps: 5, explored: '我的 | 设置' } })] });
    expect(f!.statement).toBe('The privacy policy could not be found from the main screen after 5 taps.');
    expect(f!.evidence.ui).toEqual(['u3']);
  });
});

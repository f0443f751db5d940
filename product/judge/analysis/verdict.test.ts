import { describe, expect, it } from 'vitest';
import { flow, marker, runMeta, T0 } from '../../evidence/bundle/test-support/factories.js';
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

import type { Marker } from '../../../contracts/bundle-schema.js';
import { num, type Rule, type RuleMeta } from '../rule.js';

export const meta: RuleMeta = {
  id: 'POLICY-UNREACHABLE',
  title: 'The privacy policy cannot be reached from the main screen within N taps',
  severity: 'medium',
  sources: ['RD 一.3'],
  signal: 'a scenario explores the UI from the main screen (settings, about, me/我的) looking for the policy',
  thresholds: { maxTaps: { default: 4, description: 'most taps from the main screen to the policy' } },
  explain: (t) => `Fails when the scenario's policy search from the main screen needs more than ${t.maxTaps} taps or does not find the policy.`,
};

/**
 * Reads the result of a policy-search scenario step: a marker whose data carries
 * `policySearch: "found" | "not-found"` and `policyTaps: <n>` (the taps used). Without such a
 * marker the run did not look, and the rule does not judge.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const max = num(ctx, 'maxTaps');
    const searches = ctx.timeline.markers.filter((m) => typeof m.data?.policySearch === 'string' || typeof m.data?.policyTaps === 'number');
    const bad: { m: Marker; why: string }[] = [];
    for (const m of searches) {
      const taps = typeof m.data?.policyTaps === 'number' ? m.data.policyTaps : undefined;
      if (m.data?.policySearch === 'not-found') bad.push({ m, why: `could not be found from the main screen${taps !== undefined ? ` after ${taps} tap${taps === 1 ? '' : 's'}` : ''}` });
      else if (taps !== undefined && taps > max) bad.push({ m, why: `took ${taps} taps to reach from the main screen (limit ${max})` });
    }
    if (bad.length === 0) return [];
    return [
      {
        statement: `The privacy policy ${bad[0]!.why}.`,
        t: bad[0]!.m.t,
        evidence: { markers: bad.map((b) => b.m.id), ui: bad.flatMap((b) => (b.m.ui ? [b.m.ui] : [])) },
      },
    ];
  },
};

import { type Rule, type RuleMeta } from '../rule.js';
import { byActor, collectionFinding } from '../statements.js';
import { DEFAULT_EXEMPT, withoutExempt } from './common.js';

export const meta: RuleMeta = {
  id: 'CONSENT-AFTER-REFUSAL',
  title: 'Collection continues after the user refuses the policy',
  severity: 'high',
  sources: ['RD 三.2', 'EU'],
  signal: 'events and flows after consent.refused',
  thresholds: { exempt: { default: DEFAULT_EXEMPT, description: 'data types not judged (comma-separated): strictly necessary, not personal on their own' } },
  explain: (t) => `Fails when any personal data other than ${t.exempt || 'nothing exempt'} is read or sent after the user refused the policy (until consent is given again or the app is reinstalled).`,
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const after = withoutExempt(ctx, ctx.observations.collections.filter((c) => c.consent === 'refused'));
    return byActor(after).map((g) => collectionFinding(g.actor, g.items, ctx.wording.afterRefusal));
  },
};

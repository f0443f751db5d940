import { type Rule, type RuleMeta } from '../rule.js';
import { byActor, collectionFinding } from '../statements.js';
import { DEFAULT_EXEMPT, withoutExempt } from './common.js';

export const meta: RuleMeta = {
  id: 'CONSENT-PRE-COLLECT',
  title: 'Personal information read or sent before the user accepts the policy',
  severity: 'high',
  sources: ['RD 三.1', 'N164', 'EU'],
  signal: 'hook events and flows before the consent.accepted marker, or in a scenario that never accepts',
  thresholds: { exempt: { default: DEFAULT_EXEMPT, description: 'data types not judged (comma-separated): strictly necessary, not personal on their own' } },
  explain: (t) => `Fails when any personal data other than ${t.exempt || 'nothing exempt'} is read or sent before the policy is accepted (one finding per SDK or party).`,
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const before = withoutExempt(ctx, ctx.observations.collections.filter((c) => c.consent === 'pending'));
    return byActor(before).map((g) => collectionFinding(g.actor, g.items, ctx.wording.beforeConsent));
  },
};

import { type Rule, type RuleMeta } from '../rule.js';
import { joinWords, seconds } from '../statements.js';
import { permissionGroup, permissionRequests, shortPermission } from './common.js';

export const meta: RuleMeta = {
  id: 'CONSENT-PRE-PERMISSION',
  title: 'A runtime-permission prompt appears before the policy is accepted',
  severity: 'high',
  sources: ['RD 三.1'],
  signal: 'permission-request hook or system permission dialog before consent.accepted',
  thresholds: {},
  explain: () => 'Fails when the app asks for a runtime permission before the privacy policy is accepted.',
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const early = permissionRequests(ctx).filter((r) => ctx.timeline.consentAt(r.t).state !== 'accepted');
    if (early.length === 0) return [];
    const perms = [...new Set(early.flatMap((r) => r.permissions))];
    const groups = [...new Set(perms.map(permissionGroup))];
    const first = early[0]!;
    const since = first.t - ctx.timeline.launchBefore(first.t).t;
    const names = perms.filter((p) => /^(?:android\.permission\.)?[A-Z_]+$/.test(p)).map(shortPermission);
    const what = groups.length ? `the ${joinWords(groups.map((g) => g.replace(/-/g, ' ')))} permission${groups.length > 1 ? 's' : ''}${names.length ? ` (${names.join(', ')})` : ''}` : 'a runtime permission';
    return [
      {
        statement: `The app asked for ${what} ${seconds(since)} after launch, ${ctx.wording.beforeConsent}.`,
        t: first.t,
        evidence: { markers: early.flatMap((r) => (r.marker ? [r.marker.id] : [])), events: early.flatMap((r) => (r.event ? [r.event.id] : [])) },
      },
    ];
  },
};

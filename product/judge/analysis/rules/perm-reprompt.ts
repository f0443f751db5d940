import { num, type Rule, type RuleMeta, type FindingDraft } from '../rule.js';
import { Timeline } from '../timeline.js';
import { seconds } from '../statements.js';
import { describePermission, permissionGroup, permissionRequests, samePermission } from './common.js';

export const meta: RuleMeta = {
  id: 'PERM-REPROMPT',
  title: 'A denied permission is requested again (same session or on relaunch)',
  severity: 'medium',
  sources: ['RD 三.2', 'N164'],
  signal: 'a second request for a denied permission within the window',
  thresholds: {
    windowHours: { default: 48, description: 'hours after a denial during which asking again is a finding (48 h is app-store review practice, not a legal number)' },
  },
  explain: (t) => `Fails when the app asks again for a permission the user denied, within ${t.windowHours} h and before the app is reinstalled or its data cleared.`,
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowHours') * 3_600_000;
    const requests = permissionRequests(ctx);
    const byPermission = new Map<string, FindingDraft>();
    for (const denial of ctx.timeline.ofKind('permission.denied')) {
      const seg = ctx.timeline.segmentOf(denial.t);
      for (const perm of Timeline.permissionsOf(denial)) {
        const again = requests.filter(
          (r) => r.t > denial.t && r.t - denial.t <= windowMs && ctx.timeline.segmentOf(r.t) === seg && r.permissions.some((p) => samePermission(p, perm)),
        );
        if (again.length === 0 || byPermission.has(permissionGroup(perm))) continue;
        const relaunched = ctx.timeline.markers.some((m) => m.kind === 'app.launch' && m.t > denial.t && m.t <= again[0]!.t);
        byPermission.set(permissionGroup(perm), {
          statement: `The app asked again for ${describePermission(perm)} ${seconds(again[0]!.t - denial.t)} after the user denied it${relaunched ? ', on the next launch' : ''}${again.length > 1 ? `, ${again.length} times in all` : ''}.`,
          t: again[0]!.t,
          evidence: {
            markers: [denial.id, ...again.flatMap((r) => (r.marker ? [r.marker.id] : []))],
            events: again.flatMap((r) => (r.event ? [r.event.id] : [])),
          },
        });
      }
    }
    return [...byPermission.values()];
  },
};

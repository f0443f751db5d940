import { num, type Rule, type RuleMeta } from '../rule.js';
import { Timeline } from '../timeline.js';
import { joinWords } from '../statements.js';
import { permissionGroup, samePermission } from './common.js';

export const meta: RuleMeta = {
  id: 'PERM-NO-PURPOSE',
  title: 'A permission prompt with no in-app explanation of its purpose shown with or just before it',
  severity: 'medium',
  sources: ['N2021'],
  signal: 'no purpose text on screen in the step that raised the system dialog',
  thresholds: { windowSeconds: { default: 10, description: 'how long before the prompt a purpose explanation still counts' } },
  explain: (t) => `Fails when a system permission dialog appears without a purpose explanation on screen at most ${t.windowSeconds} s before it.`,
};

/** Purpose text is detected by the scenario stage (marker permission.purpose-shown); the rule pairs them. */
export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowSeconds') * 1000;
    const purposes = ctx.timeline.ofKind('permission.purpose-shown');
    const unexplained = ctx.timeline.ofKind('permission.requested').filter((req) => {
      // The scenario stage pairs purpose text with the prompt it saw; trust its pairing when present.
      if (typeof req.data?.purposeShown === 'boolean') return !req.data.purposeShown;
      const perms = Timeline.permissionsOf(req);
      return !purposes.some((p) => {
        if (p.t > req.t || req.t - p.t > windowMs || ctx.timeline.segmentOf(p.t) !== ctx.timeline.segmentOf(req.t)) return false;
        const about = Timeline.permissionsOf(p);
        return about.length === 0 || perms.length === 0 || about.some((a) => perms.some((q) => samePermission(a, q)));
      });
    });
    if (unexplained.length === 0) return [];
    const groups = [...new Set(unexplained.flatMap((m) => Timeline.permissionsOf(m).map((p) => permissionGroup(p).replace(/-/g, ' '))))];
    return [
      {
        statement: `The app asked for the ${groups.length ? joinWords(groups) : 'runtime'} permission${groups.length > 1 ? 's' : ''} without first explaining on screen what ${groups.length > 1 ? 'they are' : 'it is'} for.`,
        t: unexplained[0]!.t,
        evidence: { markers: unexplained.map((m) => m.id), ui: unexplained.flatMap((m) => (m.ui ? [m.ui] : [])) },
      },
    ];
  },
};

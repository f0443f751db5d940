import type { Marker } from '../../../contracts/bundle-schema.js';
import { num, type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { joinWords } from '../statements.js';
import { permissionGroup, permissionRequests } from './common.js';

export const meta: RuleMeta = {
  id: 'PERM-BUNDLED',
  title: 'Several permissions requested at once, not tied to a user action',
  severity: 'medium',
  sources: ['RD 四.6', 'N164'],
  signal: 'more than N permissions requested before the first user action after consent',
  thresholds: { maxPermissions: { default: 2, description: 'permission groups the app may request before the user does anything' } },
  explain: (t) => `Fails when more than ${t.maxPermissions} permission groups (location, phone, storage...) are requested after consent and before the user's first action.`,
};

/** Actions that are the user using the app (answering a permission prompt is not one). */
const USE_ACTIONS = new Set(['tap', 'type', 'scroll', 'swipe', 'back', 'home']);

function isUse(m: Marker): boolean {
  if (m.kind === 'user.action') return true;
  if (m.kind !== 'step') return false;
  const action = typeof m.data?.action === 'string' ? m.data.action : (m.label.split(/[\s:(]/)[0] ?? '').toLowerCase();
  return USE_ACTIONS.has(action);
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const max = num(ctx, 'maxPermissions');
    const requests = permissionRequests(ctx);
    const out: FindingDraft[] = [];
    for (let seg = 0; seg < ctx.timeline.segmentCount(); seg += 1) {
      const markers = ctx.timeline.inSegment(seg);
      const start = markers.find((m) => m.kind === 'consent.accepted') ?? markers.find((m) => m.kind === 'app.launch');
      if (!start) continue;
      const end = markers.find((m) => m.t > start.t && isUse(m))?.t ?? ctx.timeline.segmentEnd(seg);
      // Consent takes effect at the press (data.tPressed): a prompt raised by that press counts.
      const from = start.kind === 'consent.accepted' ? ctx.timeline.effectiveTime(start) : start.t;
      const asked = requests.filter((r) => r.t >= from && r.t < end && ctx.timeline.segmentOf(r.t) === seg);
      const groups = [...new Set(asked.flatMap((r) => r.permissions.map(permissionGroup)))];
      if (groups.length <= max) continue;
      out.push({
        statement: `The app asked for ${groups.length} permissions (${joinWords(groups.map((g) => g.replace(/-/g, ' ')))}) ${start.kind === 'consent.accepted' ? 'right after the policy was accepted' : 'right after launch'}, before the user did anything that needs them (limit ${max}).`,
        t: asked[0]!.t,
        evidence: { markers: [start.id, ...asked.flatMap((r) => (r.marker ? [r.marker.id] : []))], events: asked.flatMap((r) => (r.event ? [r.event.id] : [])) },
      });
    }
    return out;
  },
};

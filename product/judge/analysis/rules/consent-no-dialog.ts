import type { Marker } from '../../../contracts/bundle-schema.js';
import { num, type Rule, type RuleMeta } from '../rule.js';
import { seconds } from '../statements.js';

const SHOWN: Marker['kind'][] = ['consent.shown', 'consent.implicit', 'consent.accepted', 'consent.refused'];

export const meta: RuleMeta = {
  id: 'CONSENT-NO-DIALOG',
  title: 'No prominent privacy-policy prompt on first launch',
  severity: 'high',
  sources: ['RD 一.2', 'EU'],
  signal: 'no consent dialog detected in the first-launch window',
  thresholds: { windowSeconds: { default: 15, description: 'seconds after the first launch within which the prompt must appear' } },
  explain: (t) => `Fails when no privacy-policy prompt appears within ${t.windowSeconds} s of the first launch after an install.`,
};

/**
 * Judged per segment (each fresh install): the first launch must be followed by a consent
 * prompt within the window. Segments where the consent detector said nothing are not judged:
 * silence is not evidence of absence (the verdict reports the missing detection instead).
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowSeconds') * 1000;
    const late: Marker[] = [];
    const missing: Marker[] = [];
    for (let seg = 0; seg < ctx.timeline.segmentCount(); seg += 1) {
      const launch = ctx.timeline.inSegment(seg, ['app.launch'])[0];
      if (!launch) continue;
      const shown = ctx.timeline.inSegment(seg, SHOWN).find((m) => m.t >= launch.t);
      const notFound = ctx.timeline.inSegment(seg, ['consent.not-found']).find((m) => m.t >= launch.t);
      if (shown && shown.t - launch.t <= windowMs) continue;
      if (shown) late.push(launch, shown);
      else if (notFound) missing.push(launch, notFound);
    }
    if (late.length === 0 && missing.length === 0) return [];
    const statement =
      missing.length > 0
        ? `No ${ctx.wording.consentDialog} was found in the first ${num(ctx, 'windowSeconds')} s after the app was first launched.`
        : `The ${ctx.wording.consentDialog} appeared only ${seconds(late[1]!.t - late[0]!.t)} after the first launch (limit ${num(ctx, 'windowSeconds')} s).`;
    const markers = [...missing, ...late];
    return [{ statement, t: markers[0]!.t, evidence: { markers: markers.map((m) => m.id), ui: markers.flatMap((m) => (m.ui ? [m.ui] : [])) } }];
  },
};

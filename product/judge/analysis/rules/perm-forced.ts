import type { Marker } from '../../../contracts/bundle-schema.js';
import { list, num, type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { Timeline } from '../timeline.js';
import { seconds } from '../statements.js';
import { describePermission, permissionGroup, permissionRequests, samePermission } from './common.js';

export const meta: RuleMeta = {
  id: 'PERM-FORCED',
  title: 'The app stops serving when a non-essential permission is denied',
  severity: 'medium',
  sources: ['RD 四.2', 'N164'],
  signal: 'after denial: app exits, loops on the prompt, or shows a blocking screen',
  thresholds: {
    windowSeconds: { default: 10, description: 'seconds after the denial in which an exit, a prompt loop or a blocking screen counts' },
    loopCount: { default: 2, description: 'repeated requests of the same permission within the window that make a prompt loop' },
    essential: { default: '', description: 'permissions or permission groups (comma-separated: CAMERA, location...) the app may insist on for its core function' },
  },
  explain: (t) =>
    `Fails when, within ${t.windowSeconds} s of a denied permission, the app exits or crashes, asks ${t.loopCount}+ more times, or shows a blocking screen.`,
};

/**
 * A blocking screen is a marker (popup.shown or note) whose data says `blocking: true`: the
 * scenario stage sees the screen, this rule only reads its verdict.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowSeconds') * 1000;
    const essential = new Set(list(ctx, 'essential').map(permissionGroup));
    const requests = permissionRequests(ctx);
    const out = new Map<string, FindingDraft>();
    for (const denial of ctx.timeline.ofKind('permission.denied')) {
      const seg = ctx.timeline.segmentOf(denial.t);
      const within = (m: Marker) => m.t >= denial.t && m.t - denial.t <= windowMs && ctx.timeline.segmentOf(m.t) === seg;
      for (const perm of Timeline.permissionsOf(denial)) {
        const key = permissionGroup(perm);
        if (essential.has(key) || out.has(key)) continue;
        // An exit the scenario caused (relaunch, kill, reinstall) is not the app refusing service.
        const exit = ctx.timeline.markers.find(
          (m) => (m.kind === 'app.exit' || m.kind === 'app.crash') && within(m) && (m.kind === 'app.crash' || !ctx.timeline.stoppedByScenario(m.t)),
        );
        const blocking = ctx.timeline.markers.find((m) => m.data?.blocking === true && within(m));
        // A prompt loop is asking again in the same launch; asking again after a relaunch is
        // PERM-REPROMPT's business, not a refusal of service.
        const relaunched = (t: number) => ctx.timeline.markers.some((m) => m.kind === 'app.launch' && m.t > denial.t && m.t <= t);
        const loop = requests.filter(
          (r) => r.t > denial.t && r.t - denial.t <= windowMs && !relaunched(r.t) && r.permissions.some((p) => samePermission(p, perm)),
        );
        let what: string | undefined;
        let evidence: Marker | undefined;
        if (exit) [what, evidence] = [exit.kind === 'app.crash' ? 'crashed' : 'closed itself', exit];
        else if (blocking) [what, evidence] = ['showed a screen that blocks further use', blocking];
        else if (loop.length >= num(ctx, 'loopCount')) what = `asked again ${loop.length} times in a row`;
        if (!what) continue;
        const t = evidence?.t ?? loop[0]!.t;
        out.set(key, {
          statement: `The app ${what} ${seconds(t - denial.t)} after the user denied ${describePermission(perm)}.`,
          t,
          evidence: {
            markers: [denial.id, ...(evidence ? [evidence.id] : []), ...loop.flatMap((r) => (r.marker ? [r.marker.id] : []))],
            events: loop.flatMap((r) => (r.event ? [r.event.id] : [])),
            ui: [denial, evidence].flatMap((m) => (m?.ui ? [m.ui] : [])),
          },
        });
      }
    }
    return [...out.values()];
  },
};

import type { Marker } from '../../../contracts/bundle-schema.js';
import { num, type Rule, type RuleMeta } from '../rule.js';
import { hasCloseControl, uiNodes } from '../ui-dump-nodes.js';

export const meta: RuleMeta = {
  id: 'UI-UNCLOSABLE-POPUP',
  title: 'A launch or pop-up ad offers no visible, working close control',
  severity: 'medium',
  sources: ['N164', 'N26'],
  signal: 'overlay/dialog UI tree with no clickable close/skip element, or one that does not close it',
  thresholds: { closeWindowSeconds: { default: 10, description: 'seconds after a close attempt for the pop-up to go away' } },
  explain: (t) => `Fails when a pop-up or launch ad has no clickable close or skip control, or its close control does not close it within ${t.closeWindowSeconds} s.`,
};

/**
 * Evidence, strongest first: the scenario's own verdict on a `popup.shown` marker (`closable`,
 * and after a press `closeAttempted` with `closed` or a `popup.closed` marker after it), then,
 * for markers without a verdict (older bundles), the pop-up's UI tree read here for a clickable
 * close or skip control. The scenario may note one pop-up more than once (seen while waiting,
 * then handled by `dismiss-popups`, and again after a reinstall): markers with the same
 * `signature` are one pop-up, and one that was closed by its own control is not reported.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'closeWindowSeconds') * 1000;
    const closedBy = (m: Marker) =>
      ctx.timeline
        .ofKind('popup.closed')
        .some((c) => c.t >= m.t && c.t - m.t <= windowMs && ctx.timeline.segmentOf(c.t) === ctx.timeline.segmentOf(m.t) && (c.data?.via === undefined || c.data.via === 'close-control'));
    const groups = new Map<string, Marker[]>();
    for (const m of ctx.timeline.ofKind('popup.shown')) {
      // The same launch ad on every fresh install is one pop-up to report, with all its markers.
      const key = typeof m.data?.signature === 'string' && m.data.signature ? m.data.signature : m.id;
      groups.set(key, [...(groups.get(key) ?? []), m]);
    }
    const bad: { m: Marker; why: string; markers: Marker[] }[] = [];
    for (const markers of groups.values()) {
      const why = judge(markers);
      if (why) bad.push({ ...why, markers });
    }
    if (bad.length === 0) return [];
    const name = (m: Marker) => (typeof m.data?.name === 'string' && m.data.name ? `"${m.data.name}" ` : '');
    return [
      {
        statement: `A pop-up ${name(bad[0]!.m)}${bad[0]!.why}${bad.length > 1 ? ` (and ${bad.length - 1} more pop-up${bad.length > 2 ? 's' : ''})` : ''}.`,
        t: bad[0]!.m.t,
        evidence: { markers: bad.flatMap((b) => b.markers.map((m) => m.id)), ui: bad.flatMap((b) => b.markers.flatMap((m) => (m.ui ? [m.ui] : []))) },
      },
    ];

    /** One pop-up's markers: what pressing its control did beats what its screen showed. */
    function judge(markers: Marker[]): { m: Marker; why: string } | undefined {
      const attempts = markers.filter((m) => m.data?.closeAttempted === true);
      if (attempts.length > 0) {
        const closed = attempts.some((m) => m.data?.closed === true || (m.data?.closed === undefined && closedBy(m)));
        return closed ? undefined : { m: attempts[0]!, why: 'did not go away when its close control was tapped' };
      }
      const unclosable = markers.find((m) => m.data?.closable === false);
      if (unclosable) return { m: unclosable, why: 'has no close or skip control' };
      if (markers.some((m) => m.data?.closable === true || closedBy(m))) return undefined;
      // No verdict from the scenario (an older bundle): read the pop-up's own UI tree.
      for (const m of markers) {
        const tree = m.ui ? ctx.uiTrees.get(m.ui) : undefined;
        if (tree !== undefined && !hasCloseControl(uiNodes(tree))) return { m, why: 'has no visible close or skip control' };
      }
      return undefined;
    }
  },
};

import type { Marker } from '../../bundle/schema.js';
import { num, type Rule, type RuleMeta } from '../rule.js';
import { hasCloseControl, uiNodes } from '../ui-tree.js';

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
 * Evidence, strongest first: the scenario's own verdict (`data.closable: false`, or a close
 * attempt `data.closeAttempted: true` with no popup.closed after it), then the UI tree of the
 * pop-up read here for a clickable close/skip control.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'closeWindowSeconds') * 1000;
    const bad: { m: Marker; why: string }[] = [];
    for (const m of ctx.timeline.ofKind('popup.shown')) {
      const closed = ctx.timeline.ofKind('popup.closed').find((c) => c.t >= m.t && c.t - m.t <= windowMs && ctx.timeline.segmentOf(c.t) === ctx.timeline.segmentOf(m.t));
      const tree = m.ui ? ctx.uiTrees.get(m.ui) : undefined;
      if (m.data?.closable === false) bad.push({ m, why: 'has no close control' });
      else if (m.data?.closeAttempted === true && !closed) bad.push({ m, why: 'did not go away when its close control was tapped' });
      else if (tree !== undefined && !closed && !hasCloseControl(uiNodes(tree))) bad.push({ m, why: 'has no visible close or skip control' });
    }
    if (bad.length === 0) return [];
    const name = (m: Marker) => (typeof m.data?.name === 'string' ? `"${m.data.name}" ` : '');
    return [
      {
        statement: `A pop-up ${name(bad[0]!.m)}${bad[0]!.why}${bad.length > 1 ? ` (and ${bad.length - 1} more pop-up${bad.length > 2 ? 's' : ''})` : ''}.`,
        t: bad[0]!.m.t,
        evidence: { markers: bad.map((b) => b.m.id), ui: bad.flatMap((b) => (b.m.ui ? [b.m.ui] : [])) },
      },
    ];
  },
};

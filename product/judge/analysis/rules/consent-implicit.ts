import type { Marker } from '../../../contracts/bundle-schema.js';
import { type Rule, type RuleMeta } from '../rule.js';
import { implicitConsent, uiNodes } from '../ui-dump-nodes.js';

export const meta: RuleMeta = {
  id: 'CONSENT-IMPLICIT',
  title: 'Consent by default: pre-ticked box, or an acknowledgement-only dialog with no way to refuse',
  severity: 'high',
  sources: ['RD 三.4', 'EU'],
  signal: 'UI tree of the consent dialog: checked checkbox before any tap, or no refuse/exit control',
  thresholds: {},
  explain: () => 'Fails when the consent dialog has a box ticked before the user touched it, or only an acknowledgement ("我知道了", "OK") and no way to refuse.',
};

/**
 * Two sources that agree by construction: the scenario's consent detector writes
 * `consent.implicit`, and the UI tree stored with `consent.shown` is re-read here so that an
 * old bundle can be re-judged with today's reading of the dialog.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const hits: { m: Marker; why: string }[] = [];
    for (const m of ctx.timeline.ofKind('consent.implicit')) hits.push({ m, why: m.data?.reason === 'pre-ticked' ? 'a consent box ticked before any tap' : m.data?.reason === 'acknowledgement-only' ? 'only an acknowledgement and no way to refuse' : 'no way to refuse, or a box ticked in advance' });
    for (const m of ctx.timeline.ofKind('consent.shown')) {
      const tree = m.ui ? ctx.uiTrees.get(m.ui) : undefined;
      const why = tree ? implicitConsent(uiNodes(tree)) : undefined;
      if (why) hits.push({ m, why });
    }
    if (hits.length === 0) return [];
    const why = hits.find((h) => h.m.kind === 'consent.shown')?.why ?? hits[0]!.why;
    return [
      {
        statement: `The ${ctx.wording.consentDialog} obtains consent by default: it shows ${why}.`,
        t: hits[0]!.m.t,
        evidence: { markers: hits.map((h) => h.m.id), ui: hits.flatMap((h) => (h.m.ui ? [h.m.ui] : [])) },
      },
    ];
  },
};

import { DATA_TYPE_LABELS, FAMILIES_FORBIDDEN } from '../../../contracts/data-types.js';
import { bool, type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { joinWords, upperFirst } from '../statements.js';
import { capEvidence } from './common.js';

export const meta: RuleMeta = {
  id: 'KIDS-IDENTIFIERS',
  title: 'An app for children transmits identifiers that the Families policy forbids',
  severity: 'high',
  sources: ['PLAY'],
  signal: 'app declared child-directed in config, identifier of a forbidden kind in any flow',
  thresholds: { childDirected: { default: false, description: "treat the app as child-directed even if the run does not say so (run.json app.childDirected)" } },
  explain: () => "Fails when a child-directed app sends the advertising ID, SIM serial, build serial, BSSID/SSID, MAC, IMEI or IMSI in any flow.",
};

export const rule: Rule = {
  meta,
  check(ctx) {
    if (!(ctx.bundle.run.app.childDirected === true || bool(ctx, 'childDirected'))) return [];
    const out: FindingDraft[] = [];
    for (const type of FAMILIES_FORBIDDEN) {
      const items = ctx.observations.collections.filter((c) => c.kind === 'flow' && c.dataTypes.includes(type));
      if (items.length === 0) continue;
      const hosts = [...new Set(items.map((c) => c.host!))];
      out.push({
        statement: `${upperFirst(items[0]!.actor.label)} sent ${DATA_TYPE_LABELS[type]} to ${joinWords(hosts)}, which the Families policy forbids in an app for children.`,
        dataTypes: [type],
        ...(items[0]!.actor.sdk ? { sdk: items[0]!.actor.sdk } : {}),
        t: items[0]!.t,
        evidence: { flows: capEvidence(items.map((c) => c.id)) },
      });
    }
    return out;
  },
};

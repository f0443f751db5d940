import { type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { labelsOf, uniqueTypes, upperFirst } from '../statements.js';
import { capEvidence } from './common.js';

export const meta: RuleMeta = {
  id: 'TRANSPORT-CLEARTEXT',
  title: 'Personal information sent without TLS',
  severity: 'medium',
  sources: ['GB/T 35273'],
  signal: 'identifier found in a plain-HTTP flow',
  thresholds: {},
  explain: () => 'Fails for each host that receives one of the device identifiers over plain HTTP or unencrypted WebSocket.',
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const byHost = new Map<string, typeof ctx.observations.collections>();
    for (const c of ctx.observations.collections) {
      if (c.kind === 'flow' && (c.scheme === 'http' || c.scheme === 'ws')) byHost.set(c.host!, [...(byHost.get(c.host!) ?? []), c]);
    }
    const out: FindingDraft[] = [];
    for (const [host, items] of byHost) {
      out.push({
        statement: `${upperFirst(items[0]!.actor.label)} sent ${labelsOf(uniqueTypes(items))} to ${host} without encryption (plain ${items[0]!.scheme === 'ws' ? 'WebSocket' : 'HTTP'}).`,
        dataTypes: uniqueTypes(items),
        ...(items[0]!.actor.sdk ? { sdk: items[0]!.actor.sdk } : {}),
        t: items[0]!.t,
        evidence: { flows: capEvidence(items.map((c) => c.id)) },
      });
    }
    return out;
  },
};

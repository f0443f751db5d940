import { type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { joinWords, labelsOf, uniqueTypes, upperFirst } from '../statements.js';
import { capEvidence } from './common.js';

export const meta: RuleMeta = {
  id: 'SCOPE-UNDECLARED-SDK',
  title: 'A third-party SDK collects or receives personal information and is not in the sharing list',
  severity: 'high',
  sources: ['RD 二', 'RD 五.1', 'N164'],
  signal: 'stack or destination attribution to an SDK missing from the declared list',
  needsDeclarations: true,
  thresholds: {},
  explain: () => 'Fails for each SDK of the catalogue that reads or receives personal data while the policy, SDK table and sharing list do not name it.',
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const decl = ctx.declarations!;
    const negated = new Set(decl.negations.flatMap((n) => (n.sdk ? [n.sdk] : [])));
    const declared = new Set<string>();
    for (const s of decl.sdks) if (s.id && !negated.has(s.id)) declared.add(s.id);
    // A company named for exactly one SDK declares that SDK; a vendor of many does not declare them all.
    for (const r of decl.recipients) if (r.sdkIds.length === 1) declared.add(r.sdkIds[0]!);
    const bySdk = new Map<string, typeof ctx.observations.collections>();
    for (const c of ctx.observations.collections) {
      if (c.actor.party !== 'sdk' || !c.actor.sdk || declared.has(c.actor.sdk)) continue;
      bySdk.set(c.actor.sdk, [...(bySdk.get(c.actor.sdk) ?? []), c]);
    }
    const out: FindingDraft[] = [];
    for (const [sdk, items] of bySdk) {
      const actor = items[0]!.actor;
      const hosts = [...new Set(items.flatMap((c) => (c.host ? [c.host] : [])))];
      const reads = items.filter((c) => c.kind === 'event');
      const did = [
        reads.length ? `${reads.every((c) => c.outcome === 'threw') ? 'tried to read' : 'read'} ${labelsOf(uniqueTypes(reads))}` : '',
        hosts.length ? `sent ${labelsOf(uniqueTypes(items.filter((c) => c.kind === 'flow')))} to ${joinWords(hosts)}` : '',
      ].filter(Boolean);
      out.push({
        statement: `${upperFirst(actor.label)}${actor.vendor ? ` (${actor.vendor})` : ''} ${joinWords(did)}, but the policy's third-party list does not name it${negated.has(sdk) ? ' (the policy says it does not use it)' : ''}.`,
        dataTypes: uniqueTypes(items),
        sdk,
        t: items[0]!.t,
        evidence: { events: capEvidence(reads.map((c) => c.id)), flows: capEvidence(items.filter((c) => c.kind === 'flow').map((c) => c.id)) },
      });
    }
    return out;
  },
};

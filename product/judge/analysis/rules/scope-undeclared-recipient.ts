import { shortName } from '../../policy/sdk-names.js';
import { firstPartyDomains, hostMatches, siteOf } from '../actors.js';
import type { Collection } from '../observations.js';
import { type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { labelsOf, uniqueTypes, upperFirst } from '../statements.js';
import { capEvidence } from './common.js';

export const meta: RuleMeta = {
  id: 'SCOPE-UNDECLARED-RECIPIENT',
  title: 'Personal information sent to a party the policy does not name',
  severity: 'high',
  sources: ['RD 五.1'],
  signal: 'destination organisation not declared',
  needsDeclarations: true,
  thresholds: {},
  explain: () =>
    "Fails for each party outside the app's own domains that receives personal data while the policy names neither its domain, its company nor (for an SDK's servers) the SDK.",
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const decl = ctx.declarations!;
    const own = firstPartyDomains(ctx.bundle.run);
    const declaredDomains = decl.recipients.flatMap((r) => r.domains.map((d) => d.toLowerCase()));
    const declaredSdks = new Set([...decl.sdks.flatMap((s) => (s.id ? [s.id] : [])), ...decl.recipients.flatMap((r) => r.sdkIds)]);
    const declaredText = [...decl.recipients.map((r) => r.name), ...decl.sdks.map((s) => `${s.name} ${s.vendor ?? ''} ${s.policyUrl ?? ''}`)].join('\n').toLowerCase();
    const flows = new Map(ctx.bundle.flows.map((f) => [f.id, f]));
    const byParty = new Map<string, { label: string; items: Collection[] }>();
    for (const c of ctx.observations.collections) {
      if (c.kind !== 'flow' || !c.host) continue;
      const flow = flows.get(c.id);
      if (flow?.destination?.party === 'first' || own.some((d) => hostMatches(c.host!, d))) continue;
      const sdkId = flow?.destination?.party === 'sdk' ? flow.destination.sdk : ctx.catalogue.sdkForHost(c.host)?.id;
      const sdk = sdkId ? ctx.catalogue.byId(sdkId) : undefined;
      const site = siteOf(c.host);
      const vendor = (sdk?.vendor ?? flow?.destination?.vendor)?.toLowerCase();
      const named =
        (sdkId !== undefined && declaredSdks.has(sdkId)) ||
        declaredDomains.some((d) => hostMatches(c.host!, d) || d === site) ||
        declaredText.includes(site) ||
        (vendor !== undefined && declaredText.includes(vendor));
      if (named) continue;
      const key = sdk ? `sdk:${sdk.id}` : site;
      const label = sdk ? `${sdk.vendor}, operator of the ${shortName(sdk)} SDK` : site;
      const group = byParty.get(key) ?? { label, items: [] };
      group.items.push(c);
      byParty.set(key, group);
    }
    const out: FindingDraft[] = [];
    for (const { label, items } of byParty.values()) {
      const hosts = [...new Set(items.map((c) => c.host!))];
      out.push({
        statement: `${upperFirst(items[0]!.actor.label)} sent ${labelsOf(uniqueTypes(items))} to ${hosts.join(', ')}, a party (${label}) the policy does not name.`,
        dataTypes: uniqueTypes(items),
        ...(items[0]!.actor.sdk ? { sdk: items[0]!.actor.sdk } : {}),
        t: items[0]!.t,
        evidence: { flows: capEvidence(items.map((c) => c.id)) },
      });
    }
    return out;
  },
};

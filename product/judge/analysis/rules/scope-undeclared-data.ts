import { DATA_TYPE_LABELS } from '../../../contracts/data-types.js';
import { declaredDataTypes } from '../../policy/declarations.js';
import { bool, list, type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { joinWords, uniqueTypes } from '../statements.js';
import { capEvidence } from './common.js';

export const meta: RuleMeta = {
  id: 'SCOPE-UNDECLARED-DATA',
  title: 'A data type is collected that the declarations do not name',
  severity: 'medium',
  sources: ['RD 二', 'RD 三.9'],
  signal: 'observed data types minus declared ones',
  needsDeclarations: true,
  thresholds: {
    acceptUmbrellaTerms: { default: true, description: 'count broad terms ("设备信息", "device information") as declaring the types they cover' },
    ignore: { default: '', description: 'data types never reported by this rule (comma-separated)' },
  },
  explain: (t) =>
    `Fails for each data type read or sent that the policy and lists do not name${t.acceptUmbrellaTerms ? ' (broad terms such as 设备信息 count)' : ' (broad terms such as 设备信息 do not count)'}.`,
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const decl = ctx.declarations!;
    const declared = declaredDataTypes(decl, { acceptUmbrella: bool(ctx, 'acceptUmbrellaTerms') });
    const ignore = new Set(list(ctx, 'ignore'));
    const out: FindingDraft[] = [];
    for (const type of uniqueTypes(ctx.observations.collections)) {
      if (declared.has(type) || ignore.has(type)) continue;
      const items = ctx.observations.collections.filter((c) => c.dataTypes.includes(type));
      const actors = [...new Set(items.map((c) => c.actor.label))];
      const hosts = [...new Set(items.flatMap((c) => (c.host ? [c.host] : [])))];
      const reads = items.filter((c) => c.kind === 'event');
      const negation = decl.negations.find((n) => n.dataType === type);
      const claim = negation ? `The policy says "${negation.evidence.text.slice(0, 120)}"` : `The policy and lists do not mention ${DATA_TYPE_LABELS[type]}`;
      const did = reads.length
        ? `${joinWords(actors)} ${reads.every((c) => c.outcome === 'threw') ? 'tried to read' : 'read'} it${hosts.length ? ` and sent it to ${joinWords(hosts)}` : ''}`
        : `${joinWords(actors)} sent it to ${joinWords(hosts)}`;
      out.push({
        statement: `${claim}, but ${did}.`,
        dataTypes: [type],
        t: items[0]!.t,
        evidence: { events: capEvidence(reads.map((c) => c.id)), flows: capEvidence(items.filter((c) => c.kind === 'flow').map((c) => c.id)) },
      });
    }
    return out;
  },
};

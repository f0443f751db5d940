import { DATA_TYPE_LABELS, type DataTypeId } from '../../../contracts/data-types.js';
import type { Collection } from '../observations.js';
import { num, type FindingDraft, type Rule, type RuleContext, type RuleMeta } from '../rule.js';
import { joinWords, seconds, upperFirst } from '../statements.js';
import { capEvidence } from './common.js';

export const meta: RuleMeta = {
  id: 'SCOPE-FREQUENCY',
  title: 'A data type is read far more often than any function needs',
  severity: 'medium',
  sources: ['RD 四.4'],
  signal: 'calls per data type per window',
  thresholds: {
    maxCalls: { default: 10, description: 'most reads of one data type in any window (consentry default, not a legal number)' },
    windowSeconds: { default: 60, description: 'length of the sliding window, seconds' },
  },
  thresholdPattern: /^maxCalls\.[a-z-]+$/,
  explain: (t) => `Fails when one data type is read more than ${t.maxCalls} times within ${t.windowSeconds} s (per-type limits: maxCalls.<data-type>).`,
};

function limitFor(ctx: RuleContext, type: DataTypeId): number {
  const specific = ctx.thresholds[`maxCalls.${type}`];
  return specific === undefined ? num(ctx, 'maxCalls') : Number(specific);
}

/** The busiest window: a two-pointer sweep over reads sorted by time, weighted by sampled counts. */
function busiest(reads: Collection[], windowMs: number): { calls: number; from: number; to: number } {
  let best = { calls: 0, from: 0, to: 0 };
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < reads.length; hi += 1) {
    sum += reads[hi]!.count;
    while (reads[hi]!.t - reads[lo]!.t >= windowMs) sum -= reads[lo++]!.count;
    if (sum > best.calls) best = { calls: sum, from: lo, to: hi };
  }
  return best;
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowSeconds') * 1000;
    const byType = new Map<DataTypeId, Collection[]>();
    for (const c of ctx.observations.collections) {
      if (c.kind !== 'event') continue;
      for (const t of c.dataTypes) byType.set(t, [...(byType.get(t) ?? []), c]);
    }
    const out: FindingDraft[] = [];
    for (const [type, reads] of [...byType].sort(([a], [b]) => a.localeCompare(b))) {
      const limit = limitFor(ctx, type);
      const peak = busiest(reads, windowMs);
      if (peak.calls <= limit) continue;
      const inWindow = reads.slice(peak.from, peak.to + 1);
      const actors = [...new Set(inWindow.map((c) => c.actor.label))];
      out.push({
        statement: `${upperFirst(joinWords(actors))} read ${DATA_TYPE_LABELS[type]} ${peak.calls} times within ${seconds(windowMs)} (limit ${limit}).`,
        dataTypes: [type],
        ...(inWindow[0]!.actor.sdk ? { sdk: inWindow[0]!.actor.sdk } : {}),
        t: inWindow[0]!.t,
        evidence: { events: capEvidence(inWindow.map((c) => c.id)) },
      });
    }
    return out;
  },
};

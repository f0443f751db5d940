import { DATA_TYPE_LABELS, type DataTypeId } from '../../contracts/data-types.js';
import type { Actor } from './actors.js';
import type { Collection } from './observations.js';
import type { FindingDraft } from './rule.js';

/** "a", "a and b", "a, b and c". */
export function joinWords(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function labelsOf(types: readonly DataTypeId[]): string {
  const labels = types.map((t) => DATA_TYPE_LABELS[t]);
  return labels.length > 4 ? `${joinWords(labels.slice(0, 3))} and ${labels.length - 3} other data types` : joinWords(labels);
}

export function seconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
}

/**
 * "the Umeng SDK", but "the MSA OAID SDK" and "the MobTech ShareSDK" for catalogue names that
 * already say SDK: the one place an SDK is named in a sentence.
 */
export function sdkPhrase(name: string): string {
  const n = name.trim();
  return /sdk$/i.test(n) ? `the ${n}` : `the ${n} SDK`;
}

/** An actor whose label names its SDK in the catalogue's words, worded by sdkPhrase. */
export function withSdkLabel(actor: Actor): Actor {
  if (actor.party !== 'sdk' || !actor.sdk) return actor;
  const named = /^the (.*) SDK$/.exec(actor.label);
  return named ? { ...actor, label: sdkPhrase(named[1]!) } : actor;
}

/** Capitalises the first letter: actor labels are written for mid-sentence use. */
export function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function uniqueTypes(cs: readonly Collection[]): DataTypeId[] {
  const seen: DataTypeId[] = [];
  for (const c of cs) for (const t of c.dataTypes) if (!seen.includes(t)) seen.push(t);
  return seen;
}

/** Groups collections by who did them, in order of each actor's first act. */
export function byActor(cs: readonly Collection[]): { actor: Actor; items: Collection[] }[] {
  const groups = new Map<string, { actor: Actor; items: Collection[] }>();
  for (const c of cs) {
    const g = groups.get(c.actor.key) ?? { actor: c.actor, items: [] };
    g.items.push(c);
    groups.set(c.actor.key, g);
  }
  return [...groups.values()];
}

/**
 * The usual finding about one actor's collections in some condition: "The Umeng SDK read the
 * Android ID 1.2 s after launch, before the privacy policy was accepted, and sent it to
 * alog.umeng.com."
 */
export function collectionFinding(actor: Actor, items: Collection[], condition: string): FindingDraft {
  const reads = items.filter((c) => c.kind === 'event');
  const sends = items.filter((c) => c.kind === 'flow');
  const first = items[0]!;
  const when = `${seconds(first.sinceLaunchMs)} after launch`;
  const hosts = [...new Set(sends.map((c) => c.host!))];
  const returned = reads.filter((c) => c.outcome !== 'threw');
  let sentence: string;
  if (reads.length > 0) {
    const readTypes = uniqueTypes(returned.length ? returned : reads);
    const tried = uniqueTypes(reads.filter((c) => c.outcome === 'threw')).filter((t) => !readTypes.includes(t) || returned.length === 0);
    const verb = returned.length === 0 ? `tried to read ${labelsOf(readTypes)}` : `read ${labelsOf(readTypes)}${tried.length ? ` (and tried to read ${labelsOf(tried)})` : ''}`;
    sentence = `${upperFirst(actor.label)} ${verb} ${when}, ${condition}`;
    if (sends.length) {
      const sentTypes = uniqueTypes(sends);
      const same = sentTypes.every((t) => readTypes.includes(t));
      sentence += same ? `, and sent ${sentTypes.length === 1 && readTypes.length === 1 ? 'it' : 'them'} to ${joinWords(hosts)}` : `, and sent ${labelsOf(sentTypes)} to ${joinWords(hosts)}`;
    }
  } else {
    sentence = `${upperFirst(actor.label)} sent ${labelsOf(uniqueTypes(sends))} to ${joinWords(hosts)} ${when}, ${condition}`;
  }
  return {
    statement: `${sentence}.`,
    dataTypes: uniqueTypes(items),
    ...(actor.sdk ? { sdk: actor.sdk } : {}),
    t: first.t,
    evidence: {
      events: reads.map((c) => c.id),
      flows: sends.map((c) => c.id),
      markers: [...new Set(items.map((c) => c.consentMarker).filter((m): m is string => m !== undefined))],
    },
  };
}

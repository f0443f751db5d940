import type { Finding } from '../../contracts/bundle-schema.js';

/**
 * What changed between two runs of an app (e.g. before and after a company says it has
 * rectified). Findings are matched by what they are about (rule, data types, SDK), not by
 * their sentence or evidence ids, which differ between runs.
 */
export interface FindingsDiff {
  fixed: Finding[];
  added: Finding[];
  unchanged: { before: Finding; after: Finding }[];
}

export function findingKey(f: Finding): string {
  return [f.ruleId, [...f.dataTypes].sort().join('+'), f.sdk ?? ''].join('|');
}

export function diffFindings(before: Finding[], after: Finding[]): FindingsDiff {
  const remaining = new Map<string, Finding[]>();
  for (const f of after) {
    const key = findingKey(f);
    remaining.set(key, [...(remaining.get(key) ?? []), f]);
  }
  const fixed: Finding[] = [];
  const unchanged: FindingsDiff['unchanged'] = [];
  for (const f of before) {
    const candidates = remaining.get(findingKey(f));
    const match = candidates?.shift();
    if (match) unchanged.push({ before: f, after: match });
    else fixed.push(f);
  }
  const added = [...remaining.values()].flat();
  return { fixed, added, unchanged };
}

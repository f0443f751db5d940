import { EXIT } from '../../core/errors.js';
import { SEVERITIES, type Finding, type Verdict } from '../../contracts/bundle-schema.js';

/** Higher is worse; from the contract's list, so a new severity cannot be left out. */
export const SEVERITY_RANK: Record<string, number> = Object.fromEntries([...SEVERITIES].reverse().map((s, i) => [s, i]));

/**
 * The CI exit-code policy: findings at or above `failOn` → 1; otherwise an inconclusive verdict
 * → 4 (a lab must not read "no finding" as "compliant" when the tool could not see); else 0.
 * `never` turns findings off as a failure cause but still reports inconclusive.
 */
export function exitCodeFor(verdict: Verdict | 'not-analysed', findings: Pick<Finding, 'severity'>[], failOn: string): number {
  if (failOn !== 'never') {
    const threshold = SEVERITY_RANK[failOn] ?? SEVERITY_RANK.high!;
    if (findings.some((f) => (SEVERITY_RANK[f.severity] ?? 0) >= threshold)) return EXIT.findings;
  }
  if (verdict === 'inconclusive' || verdict === 'not-analysed') return EXIT.inconclusive;
  return EXIT.ok;
}

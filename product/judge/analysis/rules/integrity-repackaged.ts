import { list, type Rule, type RuleMeta } from '../rule.js';

export const meta: RuleMeta = {
  id: 'INTEGRITY-REPACKAGED',
  title: "The APK's signing certificate differs from the reference build",
  severity: 'high',
  sources: ['seeds (repackaged apps)'],
  signal: 'certificate digest against a reference',
  thresholds: {
    referenceCertSha256: { default: '', description: 'SHA-256 digests of the genuine signing certificate(s), comma-separated; empty = not judged' },
  },
  explain: (t) => (t.referenceCertSha256 ? 'Fails when none of the APK signing certificates matches the reference digest.' : 'Not judged until a reference certificate digest is configured.'),
};

const normalise = (s: string) => s.replace(/[:\s]/g, '').toLowerCase();

/**
 * Certificate digests in static.json (written by app intake): any 64-hex string under a key
 * that mentions a certificate or signer, so the rule reads the facts whatever their nesting.
 */
export function certDigests(facts: unknown, path = ''): string[] {
  if (typeof facts === 'string') {
    const v = normalise(facts);
    return /^[0-9a-f]{64}$/.test(v) && /cert|sign/i.test(path) ? [v] : [];
  }
  if (Array.isArray(facts)) return facts.flatMap((x) => certDigests(x, path));
  if (facts && typeof facts === 'object') return Object.entries(facts).flatMap(([k, v]) => certDigests(v, `${path}.${k}`));
  return [];
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const reference = list(ctx, 'referenceCertSha256').map(normalise);
    if (reference.length === 0) return [];
    const actual = [...new Set(certDigests(ctx.staticFacts))];
    if (actual.length === 0 || actual.some((d) => reference.includes(d))) return [];
    return [
      {
        statement: `The APK is signed with a different certificate (SHA-256 ${actual[0]!.slice(0, 16)}…) than the genuine build (${reference[0]!.slice(0, 16)}…): it may be repackaged.`,
        evidence: {},
      },
    ];
  },
};

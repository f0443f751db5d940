import { describe, expect, it } from 'vitest';
import { judge } from '../test-support/rule-harness.js';
import { certDigests, rule } from './integrity-repackaged.js';

const GENUINE = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

describe('INTEGRITY-REPACKAGED', () => {
  it('reports an APK signed by another certificate than the reference', () => {
    const [f] = judge(rule, {}, { staticFacts: { signing: { certificates: [{ sha256: OTHER }] } }, thresholds: { referenceCertSha256: GENUINE } });
    expect(f!.statement).toMatch(/different certificate \(SHA-256 cdcdcdcdcdcdcdcd…\)/);
  });

  it('accepts the genuine certificate (colon-separated too), and does not judge without a reference', () => {
    const colons = GENUINE.match(/../g)!.join(':').toUpperCase();
    expect(judge(rule, {}, { staticFacts: { signerCertSha256: colons }, thresholds: { referenceCertSha256: GENUINE } })).toEqual([]);
    expect(judge(rule, {}, { staticFacts: { signing: { certificates: [{ sha256: OTHER }] } } })).toEqual([]);
  });

  it('finds digests only under certificate or signer keys', () => {
    expect(certDigests({ apkSha256: OTHER, certs: [{ sha256: GENUINE }] })).toEqual([GENUINE]);
  });
});

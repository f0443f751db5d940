import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { printable } from '../../core/untrusted.js';
import { AppInputError } from './errors.js';
import type { ReferenceCheck, SigningFacts } from './facts-schema.js';
import { pkcs7Certificates, readSigning, sha256 } from './signing.js';
import { withArchive } from './zip-archive.js';

/**
 * The repackaging check (INTEGRITY-REPACKAGED): the app's signing identity against a reference
 * given as a SHA-256 digest, a certificate file (PEM, DER, or a v1 .RSA/.DSA/.EC block) or the
 * official APK. The identity is the certificate set of the strongest scheme present, the one
 * Android itself uses (v3.1 > v3 > v2 > v1), so a v3 key rotation is not read as repackaging.
 */
export interface SigningReference {
  source: ReferenceCheck['source'];
  reference: string;
  sha256: string[];
}

const MAX_CERT_FILE = 1024 * 1024;
const EXPECTED =
  'expected a SHA-256 certificate digest (64 hex digits, colons allowed), a certificate file (PEM or DER) or an APK';

export async function loadSigningReference(value: string): Promise<SigningReference> {
  const hex = value.replace(/[:\s]/g, '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex) && !existsSync(value)) return { source: 'digest', reference: value, sha256: [hex] };
  if (!existsSync(value) || !statSync(value).isFile()) {
    throw new AppInputError('APP_REFERENCE_INVALID', `"${printable(value)}" is neither a digest nor a file: ${EXPECTED}`, {
      field: '--reference',
    });
  }
  if (statSync(value).size > MAX_CERT_FILE || isZip(value)) {
    const signing = await withArchive(value, (a) => readSigning(a));
    const digests = identityDigests(signing);
    if (digests.length === 0) {
      throw new AppInputError('APP_REFERENCE_INVALID', 'the reference APK is not signed', { file: value, field: '--reference' });
    }
    return { source: 'apk', reference: value, sha256: digests };
  }
  const bytes = readFileSync(value);
  return { source: 'certificate', reference: value, sha256: certificateDigests(bytes, value) };
}

function isZip(file: string): boolean {
  const head = readFileSync(file).subarray(0, 4);
  return head.length === 4 && head.readUInt32LE(0) === 0x04034b50;
}

function certificateDigests(bytes: Buffer, file: string): string[] {
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    const pems = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return pems.map((pem) => sha256(new X509Certificate(pem).raw));
  }
  try {
    return [sha256(new X509Certificate(bytes).raw)];
  } catch {
    try {
      const certs = pkcs7Certificates(bytes, file, '--reference');
      if (certs.length) return certs.map(sha256);
    } catch {
      // fall through to the error naming what was expected
    }
  }
  throw new AppInputError('APP_REFERENCE_INVALID', `not a certificate: ${EXPECTED}`, { file, field: '--reference' });
}

/** Digests of the certificates of the strongest signing scheme present. */
export function identityDigests(signing: SigningFacts): string[] {
  const order = [
    ['v3.1', signing.schemes.v31],
    ['v3', signing.schemes.v3],
    ['v2', signing.schemes.v2],
    ['v1', signing.schemes.v1],
  ] as const;
  for (const [scheme, present] of order) {
    if (!present) continue;
    const digests = signing.certificates.filter((c) => c.schemes.includes(scheme)).map((c) => c.sha256);
    if (digests.length) return [...new Set(digests)].sort();
  }
  return [];
}

export function checkReference(signing: SigningFacts, ref: SigningReference): ReferenceCheck {
  const actual = identityDigests(signing);
  const expected = [...new Set(ref.sha256)].sort();
  const matches = actual.length > 0 && actual.length === expected.length && actual.every((d, i) => d === expected[i]);
  return { source: ref.source, reference: ref.reference, expectedSha256: expected, actualSha256: actual, matches };
}

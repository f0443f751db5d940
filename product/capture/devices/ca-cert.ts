import { createHash } from 'node:crypto';
import forge from 'node-forge';
import { InputError } from '../../core/errors.js';

/**
 * The capture CA as Android's trust stores want it: a PEM file named <subject_hash_old>.0.
 * Android's cacerts directories use OpenSSL's "old" subject hash: the first four bytes of the
 * MD5 of the DER-encoded subject name, read little-endian (openssl x509 -subject_hash_old).
 */
export interface CaCertificate {
  pem: string;
  /** 8 lower-case hex digits. */
  subjectHashOld: string;
  /** File name in a cacerts directory: <hash>.0 */
  fileName: string;
  sha256: string;
}

export function readCaCertificate(pem: string, source = 'CA certificate'): CaCertificate {
  let der: Buffer;
  try {
    const msg = forge.pem.decode(pem).find((m) => m.type === 'CERTIFICATE');
    if (!msg) throw new Error('no CERTIFICATE block');
    der = Buffer.from(msg.body, 'binary');
  } catch (cause) {
    throw new InputError('CA_INVALID', `not a PEM certificate: ${(cause as Error).message}`, { file: source, cause });
  }
  const hash = subjectHashOld(der);
  const normalised = pem.trim() + '\n';
  return {
    pem: normalised,
    subjectHashOld: hash,
    fileName: `${hash}.0`,
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

/** MD5 of the subject's original DER bytes (not a re-encoding, which could differ in string types). */
export function subjectHashOld(certDer: Buffer): string {
  const cert = forge.asn1.fromDer(forge.util.createBuffer(certDer.toString('binary')), false);
  const tbs = (cert.value as forge.asn1.Asn1[])[0];
  const fields = tbs?.value as forge.asn1.Asn1[] | undefined;
  if (!fields) throw new InputError('CA_INVALID', 'certificate has no tbsCertificate');
  // tbsCertificate: [0] version (optional, context tag 0), serial, signature, issuer, validity, subject.
  const hasVersion = fields[0]?.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC;
  const subject = fields[hasVersion ? 5 : 4];
  if (!subject) throw new InputError('CA_INVALID', 'certificate has no subject');
  const subjectDer = Buffer.from(forge.asn1.toDer(subject).getBytes(), 'binary');
  const md5 = createHash('md5').update(subjectDer).digest();
  return md5.readUInt32LE(0).toString(16).padStart(8, '0');
}

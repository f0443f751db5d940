import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import forge from 'node-forge';
import { ConsentryError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { CaptureCaMaterial } from './capture-port.js';

/**
 * One capture CA per farm, generated once into the config's stateDir (never under captures/:
 * bundles are shared, the key must not be). The device stage installs the certificate in the
 * system store as `<subject_hash_old>.0`; every bundle records its SHA-256.
 *
 * Layout of <stateDir>/capture-ca/ (mode 0700):
 *   ca-cert.pem                     certificate (0644)
 *   ca-key.pem                      private key (0600)
 *   mitmproxy/mitmproxy-ca.pem      key + cert, mitmproxy's confdir layout (0600)
 *   mitmproxy/mitmproxy-ca-cert.pem certificate
 */

export interface CaptureCa extends CaptureCaMaterial {
  dir: string;
  certFile: string;
  keyFile: string;
  /** SHA-256 of the certificate's DER, lowercase hex (RunMeta.captureCaSha256). */
  sha256: string;
  /** OpenSSL's legacy subject hash (MD5-based), 8 hex digits. */
  subjectHashOld: string;
  /** File name in /system/etc/security/cacerts: `<subjectHashOld>.0`. */
  androidSystemFileName: string;
}

export class CaptureCaError extends ConsentryError {
  constructor(message: string, context: Record<string, string> = {}, cause?: unknown) {
    super('CAPTURE_CA', message, { context, cause });
  }
}

const CA_SUBJECT = [
  { name: 'commonName', value: 'consentry capture CA' },
  { name: 'organizationName', value: 'consentry' },
];

/** Loads the farm's capture CA, creating it on first use. Safe against concurrent first use. */
export function loadOrCreateCaptureCa(stateDir: string, options: { capturesRoot?: string; logger?: Logger } = {}): CaptureCa {
  const dir = join(resolve(stateDir), 'capture-ca');
  if (options.capturesRoot && isInside(dir, resolve(options.capturesRoot))) {
    throw new CaptureCaError(`the capture CA's private key must not live under the captures folder (${options.capturesRoot}); set stateDir elsewhere`, { stateDir });
  }
  if (!existsSync(join(dir, 'ca-key.pem'))) createCa(dir, options.logger);
  return loadCa(dir, options.logger);
}

function createCa(dir: string, logger?: Logger): void {
  const parent = join(dir, '..');
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  // Build in a private temp folder, then rename into place: a concurrent creator loses the
  // race cleanly (rename onto a non-empty folder fails) and both end up with the same CA.
  const tmp = join(parent, `.capture-ca-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(join(tmp, 'mitmproxy'), { recursive: true, mode: 0o700 });
  try {
    const { certPem, keyPem } = generateCa();
    writeFileSync(join(tmp, 'ca-key.pem'), keyPem, { mode: 0o600 });
    writeFileSync(join(tmp, 'ca-cert.pem'), certPem, { mode: 0o644 });
    writeFileSync(join(tmp, 'mitmproxy', 'mitmproxy-ca.pem'), keyPem + certPem, { mode: 0o600 });
    writeFileSync(join(tmp, 'mitmproxy', 'mitmproxy-ca-cert.pem'), certPem, { mode: 0o644 });
    try {
      renameSync(tmp, dir);
      logger?.info({ dir }, 'created the capture CA');
    } catch (e) {
      if (!existsSync(join(dir, 'ca-key.pem'))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function generateCa(): { certPem: string; keyPem: string } {
  // Node's native RSA keygen: node-forge's pure-JS one takes seconds.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  // Positive serial (first bit clear), 16 random bytes.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600_000);
  cert.validity.notAfter = new Date(now + 10 * 365 * 24 * 3600_000);
  cert.setSubject(CA_SUBJECT);
  cert.setIssuer(CA_SUBJECT);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

function loadCa(dir: string, logger?: Logger): CaptureCa {
  const certFile = join(dir, 'ca-cert.pem');
  const keyFile = join(dir, 'ca-key.pem');
  const confFile = join(dir, 'mitmproxy', 'mitmproxy-ca.pem');
  for (const secret of [keyFile, confFile]) {
    const mode = statSync(secret).mode & 0o777;
    if (mode & 0o077) {
      chmodSync(secret, 0o600);
      logger?.warn({ file: secret, mode: mode.toString(8) }, 'the capture CA key was readable by others; mode set to 0600');
    }
  }
  const certPem = readFileSync(certFile, 'utf8');
  const keyPem = readFileSync(keyFile, 'utf8');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch (e) {
    throw new CaptureCaError(`${certFile} is not a valid certificate`, { file: certFile }, e);
  }
  const hash = subjectHashOld(certPem);
  return {
    dir,
    certFile,
    keyFile,
    certPem,
    keyPem,
    mitmproxyConfDir: join(dir, 'mitmproxy'),
    sha256: createHash('sha256').update(x509.raw).digest('hex'),
    subjectHashOld: hash,
    androidSystemFileName: `${hash}.0`,
  };
}

/**
 * `openssl x509 -subject_hash_old`: MD5 of the DER-encoded subject Name, first four bytes read
 * as a little-endian 32-bit number, 8 lowercase hex digits (OpenSSL X509_NAME_hash_old). Android
 * names system-store files this way. The subject bytes are taken from the certificate as
 * issued, not re-encoded.
 */
export function subjectHashOld(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  const cert = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')));
  const tbs = (cert.value as forge.asn1.Asn1[])[0]!;
  const fields = tbs.value as forge.asn1.Asn1[];
  // tbsCertificate: [0] version (optional, context tag 0), serial, signature, issuer, validity, subject
  const hasVersion = fields[0]!.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC;
  const subject = fields[hasVersion ? 5 : 4]!;
  const subjectDer = Buffer.from(forge.asn1.toDer(subject).getBytes(), 'binary');
  const digest = createHash('md5').update(subjectDer).digest();
  return digest.readUInt32LE(0).toString(16).padStart(8, '0');
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

import { createHash, X509Certificate } from 'node:crypto';
import { open } from 'node:fs/promises';
import { AppInputError } from './errors.js';
import type { SigningCertificate, SigningFacts } from './facts-schema.js';
import type { ZipArchive } from './zip-archive.js';

/**
 * Signing certificates of an APK, for every scheme present:
 *  - v1 (JAR signing): META-INF/<name>.RSA|.DSA|.EC, a PKCS#7 SignedData (RFC 2315 §9.1)
 *    whose `certificates` field holds X.509 DER certificates;
 *  - v2/v3/v3.1: the APK Signing Block just before the zip central directory
 *    (source.android.com/docs/security/features/apksigning/v2), pairs of (id, value) where ids
 *    0x7109871a (v2), 0xf05368c0 (v3) and 0x1b93ad61 (v3.1) hold length-prefixed signers whose
 *    signed data carries the certificates.
 * This reports presence and certificates. Verifying the signatures is apksigner's job; the
 * tests hold both to the same answer.
 */

const BLOCK_MAGIC = 'APK Sig Block 42';
const MAX_BLOCK_BYTES = 32 * 1024 * 1024;
const MAX_V1_BLOCK_BYTES = 1024 * 1024;
const SCHEME_IDS = { v2: 0x7109871a, v3: 0xf05368c0, 'v3.1': 0x1b93ad61 } as const;
type BlockScheme = keyof typeof SCHEME_IDS;
type Scheme = SigningCertificate['schemes'][number];

export async function readSigning(archive: ZipArchive): Promise<SigningFacts> {
  const certs = new Map<string, { der: Buffer; schemes: Set<Scheme> }>();
  const add = (der: Buffer, scheme: Scheme) => {
    const digest = sha256(der);
    const known = certs.get(digest) ?? { der, schemes: new Set<Scheme>() };
    known.schemes.add(scheme);
    certs.set(digest, known);
  };

  const v1Blocks = archive.entries.filter((e) => /^META-INF\/[^/]+\.(RSA|DSA|EC)$/i.test(e.name));
  const hasSf = archive.entries.some((e) => /^META-INF\/[^/]+\.SF$/i.test(e.name));
  const v1 = v1Blocks.length > 0 && hasSf && archive.has('META-INF/MANIFEST.MF');
  if (v1) {
    for (const entry of v1Blocks) {
      const der = await archive.read(entry.name, MAX_V1_BLOCK_BYTES);
      for (const cert of pkcs7Certificates(der, archive.file, entry.name)) add(cert, 'v1');
    }
  }

  const block = await readSigningBlock(archive.file);
  const present = { v2: false, v3: false, 'v3.1': false };
  if (block) {
    for (const [scheme, id] of Object.entries(SCHEME_IDS) as [BlockScheme, number][]) {
      const value = block.get(id);
      if (!value) continue;
      present[scheme] = true;
      for (const cert of schemeCertificates(value, archive.file, scheme)) add(cert, scheme);
    }
  }

  return {
    schemes: { v1, v2: present.v2, v3: present.v3, v31: present['v3.1'] },
    certificates: [...certs.values()].map(({ der, schemes }) => describeCertificate(der, [...schemes])),
  };
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

export function describeCertificate(der: Buffer, schemes: Scheme[]): SigningCertificate {
  const base = {
    sha256: sha256(der),
    sha1: createHash('sha1').update(der).digest('hex'),
    schemes: [...schemes].sort(),
  };
  try {
    const x = new X509Certificate(der);
    return {
      ...base,
      subject: x.subject.replace(/\n/g, ', '),
      issuer: x.issuer.replace(/\n/g, ', '),
      serialNumber: x.serialNumber.toLowerCase(),
      validFrom: new Date(x.validFrom).toISOString(),
      validTo: new Date(x.validTo).toISOString(),
    };
  } catch {
    // The digest is what identity rests on; a certificate OpenSSL cannot decode still has one.
    return { ...base, subject: '(undecodable)', issuer: '(undecodable)', serialNumber: '', validFrom: '', validTo: '' };
  }
}

/** id → value of the APK Signing Block, or undefined when the APK has none. */
export async function readSigningBlock(file: string): Promise<Map<number, Buffer> | undefined> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const cdOffset = await centralDirectoryOffset(fh, size, file);
    if (cdOffset === undefined || cdOffset < 32) return undefined;
    const footer = Buffer.alloc(24);
    await fh.read(footer, 0, 24, cdOffset - 24);
    if (footer.toString('latin1', 8, 24) !== BLOCK_MAGIC) return undefined;
    const blockSize = Number(footer.readBigUInt64LE(0));
    const start = cdOffset - blockSize - 8;
    const bad = (why: string) =>
      new AppInputError('APP_SIGNATURE_INVALID', `APK Signing Block: ${why}`, { file, field: 'APK Signing Block' });
    if (blockSize < 24 || start < 0 || blockSize > MAX_BLOCK_BYTES) throw bad(`size ${blockSize} does not fit the file`);
    const block = Buffer.alloc(blockSize + 8);
    await fh.read(block, 0, block.length, start);
    if (Number(block.readBigUInt64LE(0)) !== blockSize) throw bad('the two size fields differ');
    const pairs = new Map<number, Buffer>();
    let p = 8;
    const end = block.length - 24;
    while (p < end) {
      if (p + 12 > end) throw bad(`truncated pair at ${p}`);
      const len = Number(block.readBigUInt64LE(p));
      if (len < 4 || p + 8 + len > end) throw bad(`pair at ${p} of length ${len} runs past the block`);
      pairs.set(block.readUInt32LE(p + 8), block.subarray(p + 12, p + 8 + len));
      p += 8 + len;
    }
    return pairs;
  } finally {
    await fh.close();
  }
}

/** End of central directory record: offset 16 holds the central directory's offset. */
async function centralDirectoryOffset(
  fh: Awaited<ReturnType<typeof open>>,
  size: number,
  file: string,
): Promise<number | undefined> {
  const tailLen = Math.min(size, 0xffff + 22);
  const tail = Buffer.alloc(tailLen);
  await fh.read(tail, 0, tailLen, size - tailLen);
  for (let i = tailLen - 22; i >= 0; i -= 1) {
    if (tail.readUInt32LE(i) !== 0x06054b50) continue;
    if (i + 22 + tail.readUInt16LE(i + 20) !== tailLen) continue;
    const offset = tail.readUInt32LE(i + 16);
    // ZIP64 archives are not valid APKs for the v2 scheme; their block is not looked for.
    if (offset === 0xffffffff) return undefined;
    if (offset > size) {
      throw new AppInputError('APP_ZIP_INVALID', 'central directory offset past the end of the file', { file });
    }
    return offset;
  }
  return undefined;
}

/** A cursor over length-prefixed (uint32 LE) fields, as the v2/v3 block nests them. */
class Fields {
  constructor(
    private readonly buf: Buffer,
    private pos = 0,
    private readonly end = buf.length,
    private readonly what = '',
  ) {}
  get done(): boolean {
    return this.pos >= this.end;
  }
  next(): Fields {
    if (this.pos + 4 > this.end) throw new Error(`${this.what}: truncated length`);
    const len = this.buf.readUInt32LE(this.pos);
    const start = this.pos + 4;
    if (start + len > this.end) throw new Error(`${this.what}: field of ${len} bytes runs past its parent`);
    this.pos = start + len;
    return new Fields(this.buf, start, start + len, this.what);
  }
  bytes(): Buffer {
    return this.buf.subarray(this.pos, this.end);
  }
}

function schemeCertificates(value: Buffer, file: string, scheme: BlockScheme): Buffer[] {
  const out: Buffer[] = [];
  try {
    const signers = new Fields(value, 0, value.length, scheme).next();
    while (!signers.done) {
      const signer = signers.next();
      const signedData = signer.next();
      signedData.next(); // digests
      const certificates = signedData.next();
      while (!certificates.done) out.push(Buffer.from(certificates.next().bytes()));
    }
  } catch (cause) {
    throw new AppInputError('APP_SIGNATURE_INVALID', `${scheme} signer block: ${(cause as Error).message}`, {
      file,
      field: 'APK Signing Block',
      cause,
    });
  }
  return out;
}

interface Tlv {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

/** One DER TLV at `pos` (definite lengths only, which DER requires). */
function tlv(buf: Buffer, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new Error('truncated DER');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('high-number DER tags are not used in PKCS#7');
  let p = pos + 1;
  let len = buf[p++]!;
  if (len === 0x80) throw new Error('indefinite length (BER) where DER is required');
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 4 || p + n > limit) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i += 1) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) throw new Error('DER value runs past its parent');
  return { tag, start: pos, contentStart: p, end: p + len };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.contentStart; p < parent.end; ) {
    const t = tlv(buf, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** The certificates of a PKCS#7 ContentInfo(SignedData), as exact DER bytes. */
export function pkcs7Certificates(der: Buffer, file: string, entry: string): Buffer[] {
  try {
    const contentInfo = tlv(der, 0, der.length);
    const [, explicit] = children(der, contentInfo);
    if (!explicit || explicit.tag !== 0xa0) throw new Error('no [0] content in ContentInfo');
    const [signedData] = children(der, explicit);
    if (!signedData || signedData.tag !== 0x30) throw new Error('SignedData is not a SEQUENCE');
    const certSet = children(der, signedData).find((t) => t.tag === 0xa0);
    if (!certSet) return [];
    return children(der, certSet)
      .filter((t) => t.tag === 0x30)
      .map((t) => Buffer.from(der.subarray(t.start, t.end)));
  } catch (cause) {
    throw new AppInputError('APP_SIGNATURE_INVALID', `v1 signature block is not PKCS#7 DER: ${(cause as Error).message}`, {
      file,
      field: entry,
      cause,
    });
  }
}

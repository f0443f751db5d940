/**
 * Class names defined in a DEX file, read from the header, string_ids, type_ids and class_defs
 * (source.android.com/docs/core/runtime/dex-format). Only what is needed to name classes is
 * decoded, and every table is checked to fit in the buffer before it is walked: a header that
 * claims 2^31 classes fails at once instead of allocating.
 */

export class DexFormatError extends Error {}

const HEADER_MIN = 0x70;
const CLASS_DEF_SIZE = 32;
const MAX_DESCRIPTOR = 4096;
const DEX_MAGIC = /^dex\n0[3-4][0-9]\0$/;

export interface DexHeader {
  version: string;
  fileSize: number;
  stringIdsSize: number;
  stringIdsOff: number;
  typeIdsSize: number;
  typeIdsOff: number;
  classDefsSize: number;
  classDefsOff: number;
}

export function readDexHeader(buf: Buffer): DexHeader {
  if (buf.length < HEADER_MIN) throw new DexFormatError(`${buf.length} bytes is too short for a DEX header`);
  const magic = buf.toString('latin1', 0, 8);
  if (!DEX_MAGIC.test(magic)) throw new DexFormatError('bad magic: expected "dex\\n035\\0" or a later version');
  const endian = buf.readUInt32LE(0x28);
  if (endian !== 0x12345678) throw new DexFormatError('unsupported endian tag (only little-endian DEX exists on Android)');
  const header: DexHeader = {
    version: magic.slice(4, 7),
    fileSize: buf.readUInt32LE(0x20),
    stringIdsSize: buf.readUInt32LE(0x38),
    stringIdsOff: buf.readUInt32LE(0x3c),
    typeIdsSize: buf.readUInt32LE(0x40),
    typeIdsOff: buf.readUInt32LE(0x44),
    classDefsSize: buf.readUInt32LE(0x60),
    classDefsOff: buf.readUInt32LE(0x64),
  };
  const limit = buf.length;
  checkTable('string_ids', header.stringIdsOff, header.stringIdsSize, 4, limit);
  checkTable('type_ids', header.typeIdsOff, header.typeIdsSize, 4, limit);
  checkTable('class_defs', header.classDefsOff, header.classDefsSize, CLASS_DEF_SIZE, limit);
  return header;
}

function checkTable(name: string, off: number, count: number, itemSize: number, limit: number): void {
  if (count === 0) return;
  if (off < HEADER_MIN || off + count * itemSize > limit) {
    throw new DexFormatError(`${name}: ${count} items at offset ${off} do not fit in ${limit} bytes`);
  }
}

/** Fully qualified names ("com.umeng.analytics.MobclickAgent") of the classes the DEX defines. */
export function dexClassNames(buf: Buffer): string[] {
  const h = readDexHeader(buf);
  const names: string[] = [];
  const scratch = Buffer.allocUnsafe(MAX_DESCRIPTOR);
  for (let i = 0; i < h.classDefsSize; i += 1) {
    const typeIdx = buf.readUInt32LE(h.classDefsOff + i * CLASS_DEF_SIZE);
    if (typeIdx >= h.typeIdsSize) throw new DexFormatError(`class_defs[${i}] names type ${typeIdx} of ${h.typeIdsSize}`);
    const stringIdx = buf.readUInt32LE(h.typeIdsOff + typeIdx * 4);
    if (stringIdx >= h.stringIdsSize) throw new DexFormatError(`type_ids[${typeIdx}] names string ${stringIdx} of ${h.stringIdsSize}`);
    const dataOff = buf.readUInt32LE(h.stringIdsOff + stringIdx * 4);
    names.push(className(buf, dataOff, scratch));
  }
  return names;
}

/**
 * The class name in a string_data_item: uleb128 length in UTF-16 units, then MUTF-8 bytes up to
 * a NUL. A class descriptor "Lcom/example/Foo;" is turned into "com.example.Foo" on the bytes,
 * in `scratch`, so each name is decoded once (names are most of a large DEX's listing time).
 */
function className(buf: Buffer, off: number, scratch: Buffer): string {
  if (off >= buf.length) throw new DexFormatError(`string data at ${off} is outside the file`);
  let p = off;
  for (let shift = 0; shift < 35; shift += 7) {
    if (p >= buf.length) throw new DexFormatError(`string length at ${off} runs past the file`);
    if ((buf[p++]! & 0x80) === 0) break;
  }
  const end = buf.indexOf(0, p);
  if (end < 0 || end - p > MAX_DESCRIPTOR) throw new DexFormatError(`unterminated or oversized string at ${off}`);
  // MUTF-8 differs from UTF-8 only for NUL and supplementary characters, neither of which
  // appears in a valid class descriptor.
  if (end - p < 2 || buf[p] !== 0x4c /* L */ || buf[end - 1] !== 0x3b /* ; */) return descriptorToClassName(buf.toString('utf8', p, end));
  let n = 0;
  for (let i = p + 1; i < end - 1; i += 1) {
    const b = buf[i]!;
    scratch[n++] = b === 0x2f /* / */ ? 0x2e /* . */ : b;
  }
  return scratch.toString('utf8', 0, n);
}

export function descriptorToClassName(descriptor: string): string {
  if (descriptor.startsWith('L') && descriptor.endsWith(';')) return descriptor.slice(1, -1).replace(/\//g, '.');
  return descriptor;
}

/** Root-level classes.dex, classes2.dex, ... in install order. */
export function dexEntryNames(entries: readonly { name: string }[]): string[] {
  return entries
    .map((e) => e.name)
    .filter((n) => /^classes\d*\.dex$/.test(n))
    .sort((a, b) => dexIndex(a) - dexIndex(b));
}

function dexIndex(name: string): number {
  const m = /^classes(\d*)\.dex$/.exec(name);
  return m?.[1] ? Number(m[1]) : 1;
}

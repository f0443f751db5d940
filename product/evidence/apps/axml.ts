/**
 * A bounded reader for Android binary XML (AXML: the compiled AndroidManifest.xml), following
 * the chunk layout of frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h
 * (ResChunk_header, ResStringPool_header, ResXMLTree_node, ResXMLTree_attrExt, Res_value).
 *
 * Why not adbkit-apkreader's BinaryXmlParser: on hostile input it loops forever on a chunk of
 * size 0, trusts string counts and offsets, and names attributes only by their string (packers
 * blank those strings and keep the resource ids that Android itself reads). Here every size and
 * offset is checked against the buffer, node count and depth are capped, and android:
 * attributes are named by resource id first.
 */

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

export type AttrValue =
  | { type: 'string'; value: string }
  | { type: 'int'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'ref'; id: number }
  | { type: 'null' }
  | { type: 'other'; dataType: number; data: number };

export interface XmlAttribute {
  name: string;
  ns: string | undefined;
  resourceId: number | undefined;
  value: AttrValue;
}

export interface XmlElement {
  name: string;
  ns: string | undefined;
  attrs: XmlAttribute[];
  children: XmlElement[];
  line: number;
}

export interface AxmlLimits {
  maxNodes: number;
  maxDepth: number;
  maxStrings: number;
}

export const DEFAULT_AXML_LIMITS: AxmlLimits = { maxNodes: 100_000, maxDepth: 128, maxStrings: 500_000 };

/** Thrown with the byte offset; manifest.ts turns it into an AppInputError naming the file. */
export class AxmlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at byte ${offset}`);
  }
}

// android.R.attr ids of the attributes consentry reads (public API, stable across releases).
const ANDROID_ATTR_BY_ID = new Map<number, string>([
  [0x01010001, 'label'],
  [0x01010003, 'name'],
  [0x01010006, 'permission'],
  [0x0101000e, 'enabled'],
  [0x0101000f, 'debuggable'],
  [0x01010010, 'exported'],
  [0x01010011, 'process'],
  [0x01010018, 'authorities'],
  [0x0101020c, 'minSdkVersion'],
  [0x0101021b, 'versionCode'],
  [0x0101021c, 'versionName'],
  [0x01010270, 'targetSdkVersion'],
  [0x01010271, 'maxSdkVersion'],
  [0x01010280, 'allowBackup'],
  [0x010104ea, 'extractNativeLibs'],
  [0x010104ec, 'usesCleartextTraffic'],
  [0x01010527, 'networkSecurityConfig'],
]);

const CHUNK = {
  stringPool: 0x0001,
  xml: 0x0003,
  startNamespace: 0x0100,
  endNamespace: 0x0101,
  startElement: 0x0102,
  endElement: 0x0103,
  cdata: 0x0104,
  resourceMap: 0x0180,
} as const;

const RES_VALUE = { null: 0x00, reference: 0x01, string: 0x03, intDec: 0x10, intHex: 0x11, bool: 0x12 } as const;
const NO_INDEX = 0xffffffff;

/** A ResStringPool, decoded lazily (resources.arsc reads only the strings it needs). */
export class StringPool {
  private readonly cache = new Map<number, string>();
  constructor(
    private readonly buf: Buffer,
    private readonly offsets: number[],
    private readonly dataStart: number,
    private readonly dataEnd: number,
    private readonly utf8: boolean,
  ) {}

  get size(): number {
    return this.offsets.length;
  }

  get(index: number, at: number): string {
    if (index === NO_INDEX) return '';
    const hit = this.cache.get(index);
    if (hit !== undefined) return hit;
    const rel = this.offsets[index];
    if (rel === undefined) throw new AxmlError(`string index ${index} outside the pool of ${this.offsets.length}`, at);
    const value = this.utf8 ? this.readUtf8(this.dataStart + rel) : this.readUtf16(this.dataStart + rel);
    this.cache.set(index, value);
    return value;
  }

  private readUtf8(pos: number): string {
    // u8 length in UTF-16 units, then u8 length in bytes; each takes a second byte when the high bit is set.
    let p = pos;
    const skip = this.byte(p);
    p += skip & 0x80 ? 2 : 1;
    let len = this.byte(p);
    if (len & 0x80) len = ((len & 0x7f) << 8) | this.byte(p + 1);
    p += this.byte(p) & 0x80 ? 2 : 1;
    if (p + len > this.dataEnd) throw new AxmlError('string runs past its pool', pos);
    return this.buf.toString('utf8', p, p + len);
  }

  private readUtf16(pos: number): string {
    let len = this.u16(pos);
    let p = pos + 2;
    if (len & 0x8000) {
      len = ((len & 0x7fff) << 16) | this.u16(p);
      p += 2;
    }
    if (p + len * 2 > this.dataEnd) throw new AxmlError('string runs past its pool', pos);
    return this.buf.toString('utf16le', p, p + len * 2);
  }

  private byte(p: number): number {
    if (p >= this.dataEnd) throw new AxmlError('string header past its pool', p);
    return this.buf[p]!;
  }

  private u16(p: number): number {
    if (p + 2 > this.dataEnd) throw new AxmlError('string header past its pool', p);
    return this.buf.readUInt16LE(p);
  }
}

/** Parses a whole AXML document; returns its root element. */
export function parseAxml(buf: Buffer, limits: AxmlLimits = DEFAULT_AXML_LIMITS): XmlElement {
  if (buf.length < 8) throw new AxmlError('too short for binary XML', 0);
  const type = buf.readUInt16LE(0);
  const headerSize = buf.readUInt16LE(2);
  const total = buf.readUInt32LE(4);
  if (type !== CHUNK.xml) throw new AxmlError(`not binary XML (chunk type 0x${type.toString(16)}, expected 0x0003)`, 0);
  if (headerSize < 8 || total > buf.length || total < headerSize) {
    throw new AxmlError(`bad document header (size ${total}, file ${buf.length})`, 0);
  }

  let pool: StringPool | undefined;
  let resourceIds: number[] = [];
  const namespaces = new Map<string, string>();
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let nodes = 0;

  let pos = headerSize;
  while (pos < total) {
    if (pos + 8 > total) throw new AxmlError('truncated chunk header', pos);
    const cType = buf.readUInt16LE(pos);
    const cHeader = buf.readUInt16LE(pos + 2);
    const cSize = buf.readUInt32LE(pos + 4);
    // A chunk must at least hold its own header and stay inside the document: this is what
    // guarantees progress and bounds every read below.
    if (cHeader < 8 || cSize < cHeader || pos + cSize > total) {
      throw new AxmlError(`bad chunk 0x${cType.toString(16)} (header ${cHeader}, size ${cSize})`, pos);
    }
    const end = pos + cSize;
    switch (cType) {
      case CHUNK.stringPool:
        pool = readStringPool(buf, pos, cHeader, end, limits);
        break;
      case CHUNK.resourceMap:
        resourceIds = [];
        for (let p = pos + cHeader; p + 4 <= end; p += 4) resourceIds.push(buf.readUInt32LE(p));
        break;
      case CHUNK.startNamespace:
      case CHUNK.endNamespace: {
        need(pos, cHeader, 16, 8, end);
        const strings = requirePool(pool, pos);
        const prefix = strings.get(buf.readUInt32LE(pos + cHeader), pos);
        const uri = strings.get(buf.readUInt32LE(pos + cHeader + 4), pos);
        if (cType === CHUNK.startNamespace) namespaces.set(uri, prefix);
        break;
      }
      case CHUNK.startElement: {
        if (++nodes > limits.maxNodes) throw new AxmlError(`more than ${limits.maxNodes} elements`, pos);
        if (stack.length >= limits.maxDepth) throw new AxmlError(`nesting deeper than ${limits.maxDepth}`, pos);
        const el = readElement(buf, pos, cHeader, end, requirePool(pool, pos), resourceIds);
        if (stack.length === 0) {
          if (root) throw new AxmlError('a second root element', pos);
          root = el;
        } else {
          stack[stack.length - 1]!.children.push(el);
        }
        stack.push(el);
        break;
      }
      case CHUNK.endElement:
        if (!stack.pop()) throw new AxmlError('end tag without a start tag', pos);
        break;
      case CHUNK.cdata:
        break;
      default:
        // Unknown chunks are skipped by size, as Android's ResXMLParser does.
        break;
    }
    pos = end;
  }
  if (!root) throw new AxmlError('no root element', pos);
  return root;
}

function need(pos: number, header: number, minHeader: number, body: number, end: number): void {
  if (header < minHeader || pos + header + body > end) throw new AxmlError('chunk too short for its type', pos);
}

function requirePool(pool: StringPool | undefined, pos: number): StringPool {
  if (!pool) throw new AxmlError('element before the string pool', pos);
  return pool;
}

export function readStringPool(buf: Buffer, pos: number, header: number, end: number, limits: AxmlLimits): StringPool {
  need(pos, header, 28, 0, end);
  const count = buf.readUInt32LE(pos + 8);
  const flags = buf.readUInt32LE(pos + 16);
  const stringsStart = buf.readUInt32LE(pos + 20);
  if (count > limits.maxStrings) throw new AxmlError(`string pool of ${count} strings`, pos);
  const offsetsEnd = pos + header + count * 4;
  if (offsetsEnd > end) throw new AxmlError(`string pool declares ${count} strings, more than it holds`, pos);
  const dataStart = pos + stringsStart;
  if (count > 0 && (dataStart < offsetsEnd || dataStart > end)) throw new AxmlError('string data outside its pool', pos);
  const offsets: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const rel = buf.readUInt32LE(pos + header + i * 4);
    if (dataStart + rel >= end) throw new AxmlError(`string ${i} starts outside its pool`, pos);
    offsets.push(rel);
  }
  return new StringPool(buf, offsets, dataStart, end, (flags & 0x100) !== 0);
}

function readElement(
  buf: Buffer,
  pos: number,
  header: number,
  end: number,
  pool: StringPool,
  resourceIds: number[],
): XmlElement {
  need(pos, header, 16, 20, end);
  const line = buf.readUInt32LE(pos + 8);
  const ext = pos + header;
  const nsIndex = buf.readUInt32LE(ext);
  const name = pool.get(buf.readUInt32LE(ext + 4), pos);
  const attrStart = buf.readUInt16LE(ext + 8);
  const attrSize = buf.readUInt16LE(ext + 10);
  const attrCount = buf.readUInt16LE(ext + 12);
  if (attrCount > 0 && (attrSize < 20 || ext + attrStart + attrCount * attrSize > end)) {
    throw new AxmlError(`element <${name}> declares ${attrCount} attributes that do not fit`, pos);
  }
  const attrs: XmlAttribute[] = [];
  for (let i = 0; i < attrCount; i += 1) {
    const a = ext + attrStart + i * attrSize;
    const aNs = buf.readUInt32LE(a);
    const nameIndex = buf.readUInt32LE(a + 4);
    const rawIndex = buf.readUInt32LE(a + 8);
    const dataType = buf.readUInt8(a + 15);
    const data = buf.readUInt32LE(a + 16);
    const resourceId = nameIndex < resourceIds.length ? resourceIds[nameIndex] : undefined;
    const known = resourceId === undefined ? undefined : ANDROID_ATTR_BY_ID.get(resourceId);
    attrs.push({
      name: known ?? pool.get(nameIndex, a),
      ns: known ? ANDROID_NS : aNs === NO_INDEX ? undefined : pool.get(aNs, a),
      resourceId,
      value: typedValue(pool, dataType, data, rawIndex, a),
    });
  }
  return { name, ns: nsIndex === NO_INDEX ? undefined : pool.get(nsIndex, pos), attrs, children: [], line };
}

function typedValue(pool: StringPool, dataType: number, data: number, rawIndex: number, at: number): AttrValue {
  switch (dataType) {
    case RES_VALUE.string:
      return { type: 'string', value: pool.get(data, at) };
    case RES_VALUE.intDec:
    case RES_VALUE.intHex:
      return { type: 'int', value: data | 0 };
    case RES_VALUE.bool:
      return { type: 'bool', value: data !== 0 };
    case RES_VALUE.reference:
      return { type: 'ref', id: data };
    case RES_VALUE.null:
      return rawIndex === NO_INDEX ? { type: 'null' } : { type: 'string', value: pool.get(rawIndex, at) };
    default:
      return { type: 'other', dataType, data };
  }
}

/** An attribute in the android: namespace (or without one, as aapt1 sometimes wrote). */
export function androidAttr(el: XmlElement, name: string): AttrValue | undefined {
  return (
    el.attrs.find((a) => a.name === name && a.ns === ANDROID_NS)?.value ??
    el.attrs.find((a) => a.name === name && a.ns === undefined)?.value
  );
}

/** A plain (namespace-less) attribute such as manifest@package or manifest@split. */
export function plainAttr(el: XmlElement, name: string): AttrValue | undefined {
  return el.attrs.find((a) => a.name === name && a.ns === undefined)?.value;
}

export function asString(v: AttrValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.type === 'string') return v.value;
  if (v.type === 'int') return String(v.value);
  return undefined;
}

export function asInt(v: AttrValue | undefined): number | undefined {
  if (!v) return undefined;
  if (v.type === 'int') return v.value;
  if (v.type === 'string' && /^-?\d+$/.test(v.value.trim())) return Number(v.value.trim());
  return undefined;
}

export function asBool(v: AttrValue | undefined): boolean | undefined {
  if (!v) return undefined;
  if (v.type === 'bool') return v.value;
  if (v.type === 'string') return v.value === 'true' ? true : v.value === 'false' ? false : undefined;
  return undefined;
}

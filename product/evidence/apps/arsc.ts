import { AxmlError, readStringPool, type StringPool } from './axml.js';

/**
 * Resolves string resources (android:label="@string/app_name", a versionName reference) from
 * resources.arsc, following ResTable_header → ResTable_package → ResTable_type in
 * frameworks/base/libs/androidfw/include/androidfw/ResourceTypes.h. Only the default
 * configuration is preferred (what `aapt dump badging` prints as application-label), and
 * every offset is checked against its chunk.
 */

const CHUNK = { stringPool: 0x0001, table: 0x0002, package: 0x0200, type: 0x0201 } as const;
const TYPE_FLAG_SPARSE = 0x01;
const TYPE_FLAG_OFFSET16 = 0x02;
const ENTRY_FLAG_COMPLEX = 0x0001;
const ENTRY_FLAG_COMPACT = 0x0008;
const NO_ENTRY = 0xffffffff;
const NO_ENTRY16 = 0xffff;
const RES_STRING = 0x03;
const RES_REFERENCE = 0x01;
const ARSC_LIMITS = { maxNodes: 0, maxDepth: 0, maxStrings: 4_000_000 };

interface Candidate {
  value: { dataType: number; data: number };
  isDefault: boolean;
}

export class ResourceTable {
  private constructor(
    private readonly buf: Buffer,
    private readonly strings: StringPool,
    private readonly packages: Map<number, { start: number; end: number; header: number }>,
  ) {}

  static parse(buf: Buffer): ResourceTable {
    if (buf.length < 12 || buf.readUInt16LE(0) !== CHUNK.table) throw new AxmlError('not a resource table', 0);
    const headerSize = buf.readUInt16LE(2);
    const total = Math.min(buf.readUInt32LE(4), buf.length);
    let strings: StringPool | undefined;
    const packages = new Map<number, { start: number; end: number; header: number }>();
    for (const c of chunks(buf, headerSize, total)) {
      if (c.type === CHUNK.stringPool && !strings) strings = readStringPool(buf, c.start, c.header, c.end, ARSC_LIMITS);
      if (c.type === CHUNK.package) {
        if (c.header < 12) throw new AxmlError('package header too short', c.start);
        packages.set(buf.readUInt32LE(c.start + 8), { start: c.start, end: c.end, header: c.header });
      }
    }
    if (!strings) throw new AxmlError('resource table without a string pool', 0);
    return new ResourceTable(buf, strings, packages);
  }

  /** The string a resource id resolves to, following up to 4 references. */
  resolveString(id: number): string | undefined {
    let current = id;
    for (let hop = 0; hop < 4; hop += 1) {
      const value = this.lookup(current);
      if (!value) return undefined;
      if (value.dataType === RES_STRING) return this.strings.get(value.data, 0);
      if (value.dataType !== RES_REFERENCE) return undefined;
      current = value.data;
    }
    return undefined;
  }

  private lookup(id: number): { dataType: number; data: number } | undefined {
    const pkg = this.packages.get(id >>> 24);
    if (!pkg) return undefined;
    const typeId = (id >>> 16) & 0xff;
    const entry = id & 0xffff;
    const found: Candidate[] = [];
    for (const c of chunks(this.buf, pkg.header, pkg.end, pkg.start)) {
      if (c.type !== CHUNK.type || this.buf[c.start + 8] !== typeId) continue;
      const value = this.entryValue(c, entry);
      if (value) found.push({ value, isDefault: isDefaultConfig(this.buf, c.start + 20, c.start + c.header) });
    }
    return (found.find((f) => f.isDefault) ?? found[0])?.value;
  }

  private entryValue(c: Chunk, entry: number): { dataType: number; data: number } | undefined {
    const b = this.buf;
    if (c.header < 20) throw new AxmlError('type chunk header too short', c.start);
    const flags = b[c.start + 9]!;
    const count = b.readUInt32LE(c.start + 12);
    const entriesStart = c.start + b.readUInt32LE(c.start + 16);
    const table = c.start + c.header;
    let offset: number | undefined;
    if (flags & TYPE_FLAG_SPARSE) {
      // Pairs of (entry index u16, offset/4 u16), sorted by index.
      if (table + count * 4 > c.end) throw new AxmlError('sparse entry table past its chunk', c.start);
      for (let i = 0; i < count; i += 1) {
        if (b.readUInt16LE(table + i * 4) === entry) offset = b.readUInt16LE(table + i * 4 + 2) * 4;
      }
    } else if (entry < count) {
      const wide = !(flags & TYPE_FLAG_OFFSET16);
      const at = table + entry * (wide ? 4 : 2);
      if (at + (wide ? 4 : 2) > c.end) throw new AxmlError('entry table past its chunk', c.start);
      const raw = wide ? b.readUInt32LE(at) : b.readUInt16LE(at);
      if (raw !== (wide ? NO_ENTRY : NO_ENTRY16)) offset = wide ? raw : raw * 4;
    }
    if (offset === undefined) return undefined;
    const e = entriesStart + offset;
    if (e + 8 > c.end) throw new AxmlError('entry past its chunk', c.start);
    const entryFlags = b.readUInt16LE(e + 2);
    if (entryFlags & ENTRY_FLAG_COMPACT) return { dataType: entryFlags >>> 8, data: b.readUInt32LE(e + 4) };
    if (entryFlags & ENTRY_FLAG_COMPLEX) return undefined;
    const size = b.readUInt16LE(e);
    if (e + size + 8 > c.end) throw new AxmlError('entry value past its chunk', c.start);
    return { dataType: b[e + size + 3]!, data: b.readUInt32LE(e + size + 4) };
  }
}

interface Chunk {
  type: number;
  start: number;
  header: number;
  end: number;
}

function* chunks(buf: Buffer, headerSize: number, end: number, base = 0): Generator<Chunk> {
  let pos = base + headerSize;
  while (pos + 8 <= end) {
    const type = buf.readUInt16LE(pos);
    const header = buf.readUInt16LE(pos + 2);
    const size = buf.readUInt32LE(pos + 4);
    if (header < 8 || size < header || pos + size > end) {
      throw new AxmlError(`bad chunk 0x${type.toString(16)} (header ${header}, size ${size})`, pos);
    }
    yield { type, start: pos, header, end: pos + size };
    pos += size;
  }
}

/** ResTable_config with every field after `size` zero: no locale, density or qualifier. */
function isDefaultConfig(buf: Buffer, start: number, end: number): boolean {
  const size = start + 4 <= end ? buf.readUInt32LE(start) : 0;
  for (let p = start + 4; p < Math.min(start + size, end); p += 1) if (buf[p] !== 0) return false;
  return true;
}

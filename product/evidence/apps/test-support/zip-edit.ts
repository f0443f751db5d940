import { readFile } from 'node:fs/promises';
import yauzl from 'yauzl';
import yazl from 'yazl';

/**
 * Zip surgery for test fixtures: read a (trusted, small) archive whole, change entries, write a
 * new one. Only test code uses this; the product reads archives through zip-archive.ts.
 */
export interface ZipItem {
  name: string;
  data: Buffer;
  /** Store instead of deflate (native libs and resources.arsc are stored in real APKs). */
  store?: boolean;
}

export async function readZipItems(file: string): Promise<ZipItem[]> {
  const zip = await yauzl.fromBufferPromise(await readFile(file), { lazyEntries: true, strictFileNames: false });
  const items: ZipItem[] = [];
  for await (const entry of zip.eachEntry()) {
    if (entry.fileName.endsWith('/')) continue;
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
    items.push({ name: entry.fileName, data: Buffer.concat(chunks), store: entry.compressionMethod === 0 });
  }
  zip.close();
  return items;
}

const FIXED_MTIME = new Date('2020-01-01T00:00:00Z');

export async function writeZip(items: ZipItem[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const item of items) {
    zip.addBuffer(item.data, item.name, { compress: !item.store, mtime: FIXED_MTIME });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

/** Replaces every occurrence of `from` with `to` (same length) in a buffer. */
export function patchBytes(buf: Buffer, from: Buffer, to: Buffer): Buffer {
  if (from.length !== to.length) throw new Error('patchBytes: replacement must keep the length');
  const out = Buffer.from(buf);
  let hits = 0;
  for (let i = out.indexOf(from); i >= 0; i = out.indexOf(from, i + to.length)) {
    to.copy(out, i);
    hits += 1;
  }
  if (hits === 0) throw new Error(`patchBytes: "${from.toString('latin1')}" not found`);
  return out;
}

/** Offsets of central-directory file headers (signature 0x02014b50), for size/name patching. */
export function centralDirectoryHeaders(zip: Buffer): number[] {
  let eocd = -1;
  for (let i = zip.length - 22; i >= 0; i -= 1) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  const out: number[] = [];
  let p = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < count; i += 1) {
    out.push(p);
    p += 46 + zip.readUInt16LE(p + 28) + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return out;
}

import { createWriteStream, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { ReadAheadReader } from './read-ahead-reader.js';
import { ZipArchive } from './zip-archive.js';

const dir = mkdtempSync(join(tmpdir(), 'consentry-read-ahead-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Names of varied lengths so central-directory records straddle any window edge. */
const ENTRIES = Array.from({ length: 600 }, (_, i) => ({
  name: `res/${'d'.repeat(i % 37)}/file-${i}.txt`,
  body: Buffer.from(`entry ${i} `.repeat(1 + (i % 50))),
}));

async function writeZip(file: string, entries: { name: string; body: Buffer; store?: boolean }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.body, e.name, { compress: !e.store });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(file));
}

/** Descriptors this process holds on files in the test folder (others belong to the test runner). */
function openFds(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false; // closed while listing
    }
  }).length;
}

let many: string;
beforeAll(async () => {
  many = join(dir, 'many.zip');
  await writeZip(many, ENTRIES);
});

describe('read-ahead zip reading', () => {
  it('lists the same central directory as yauzl over a plain file, even with tiny windows', async () => {
    const expected = await listNames(await yauzl.openPromise(many, { lazyEntries: true, autoClose: false }));
    const reader = await ReadAheadReader.open(many, { minWindowBytes: 64, maxWindowBytes: 512 });
    const zip = await yauzl.fromRandomAccessReaderPromise(reader, reader.size, { lazyEntries: true, autoClose: false });
    expect(await listNames(zip)).toEqual(expected);
    expect(expected).toHaveLength(ENTRIES.length);
  });

  it('reads every entry back byte for byte, in any order, from one open archive', async () => {
    const archive = await ZipArchive.open(many);
    try {
      for (const e of [...ENTRIES].reverse()) expect((await archive.read(e.name, 1 << 20)).equals(e.body)).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('streams a stored entry larger than one chunk intact', async () => {
    const big = Buffer.alloc(700 * 1024);
    for (let i = 0; i < big.length; i += 1) big[i] = (i * 31) & 0xff;
    const file = join(dir, 'big.zip');
    await writeZip(file, [{ name: 'classes.dex', body: big, store: true }, { name: 'after.txt', body: Buffer.from('after') }]);
    const archive = await ZipArchive.open(file);
    try {
      expect((await archive.read('classes.dex', 1 << 21)).equals(big)).toBe(true);
      expect((await archive.read('after.txt', 100)).toString()).toBe('after');
    } finally {
      archive.close();
    }
  });

  it('closes its file descriptor when the archive is closed, and when opening fails', async () => {
    for (let i = 0; i < 5; i += 1) {
      const archive = await ZipArchive.open(many);
      await archive.read(ENTRIES[3]!.name, 1 << 20);
      archive.close();
    }
    const truncated = join(dir, 'truncated.zip');
    await writeZip(truncated, ENTRIES.slice(0, 20));
    truncateSync(truncated, statSync(truncated).size - 10);
    await expect(ZipArchive.open(truncated)).rejects.toMatchObject({ code: 'APP_ZIP_INVALID' });
    // Closing is asynchronous (fs.close); give it a few turns, bounded.
    for (let i = 0; i < 50 && openFds() > 0; i += 1) await new Promise((r) => setTimeout(r, 10));
    expect(openFds()).toBe(0);
  });
});

async function listNames(zip: yauzl.ZipFile): Promise<string[]> {
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (e: yauzl.Entry) => {
      names.push(e.fileName);
      zip.readEntry();
    });
    zip.on('end', () => resolve());
    zip.on('error', reject);
    zip.readEntry();
  });
  zip.close();
  return names;
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { centralDirectoryHeaders, writeZip, type ZipItem } from './test-support/zip-edit.js';
import { ZipArchive } from './zip-archive.js';
import type { AppInputError } from './errors.js';

const dir = mkdtempSync(join(tmpdir(), 'consentry-zip-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Compressible text (a DEX-like ~2 MB; not so repetitive that it reads as a zip bomb), random bytes, empty and larger than zlib's 16 KiB chunks. */
const ITEMS: ZipItem[] = [
  { name: 'classes.dex', data: Buffer.from(Array.from({ length: 100_000 }, (_, i) => `Lcom/example/C${(i * 7919).toString(36)};`).join('')) },
  { name: 'random.bin', data: randomBytes(300_000) },
  { name: 'empty.txt', data: Buffer.alloc(0) },
  { name: 'resources.arsc', data: Buffer.from('stored '.repeat(10_000)), store: true },
];

/** The zip with one entry's declared uncompressed size changed in the central directory. */
async function lyingZip(entry: string, declared: number): Promise<Buffer> {
  const zip = await writeZip(ITEMS);
  const name = Buffer.from(entry);
  for (const h of centralDirectoryHeaders(zip)) {
    if (zip.subarray(h + 46, h + 46 + zip.readUInt16LE(h + 28)).equals(name)) zip.writeUInt32LE(declared, h + 24);
  }
  return zip;
}

async function readError(zip: Buffer, entry: string): Promise<AppInputError> {
  const file = join(dir, `${entry}-${zip.length}.zip`);
  writeFileSync(file, zip);
  const archive = await ZipArchive.open(file);
  try {
    return (await archive.read(entry, 10 ** 9).then(
      () => expect.fail('read should have failed'),
      (err: unknown) => err,
    )) as AppInputError;
  } finally {
    archive.close();
  }
}

describe('ZipArchive.read', () => {
  it('returns every entry byte for byte, deflated or stored, from a file or from memory', async () => {
    const zip = await writeZip(ITEMS);
    const file = join(dir, 'items.zip');
    writeFileSync(file, zip);
    for (const archive of [await ZipArchive.open(file), await ZipArchive.fromBuffer(zip, 'items.zip')]) {
      try {
        for (const item of ITEMS) expect((await archive.read(item.name, 10 ** 9)).equals(item.data)).toBe(true);
      } finally {
        archive.close();
      }
    }
  });

  it('refuses an entry that inflates to more than its header declares', async () => {
    const err = await readError(await lyingZip('classes.dex', 1000), 'classes.dex');
    expect(err.code).toBe('APP_ZIP_BOMB');
    expect(err.message).toMatch(/more than its header declares/);
  });

  it('refuses an entry that inflates to less than its header declares', async () => {
    const err = await readError(await lyingZip('classes.dex', 5_000_000), 'classes.dex');
    expect(err.code).toBe('APP_ZIP_INVALID');
    expect(err.message).toMatch(/corrupt or truncated.*not enough bytes/);
  });

  it('refuses deflated data that is corrupt', async () => {
    const zip = await writeZip(ITEMS);
    // Overwrite the middle of the first entry's compressed data (it starts after its local header).
    const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
    zip.fill(0xff, start + 100, start + 200);
    const err = await readError(zip, 'classes.dex');
    expect(err.code).toMatch(/^APP_ZIP_(INVALID|BOMB)$/);
    expect(err.message).toContain('classes.dex');
  });

  it('applies the caller cap before inflating anything', async () => {
    const archive = await ZipArchive.fromBuffer(await writeZip(ITEMS), 'items.zip');
    try {
      await expect(archive.read('classes.dex', 1000)).rejects.toMatchObject({ code: 'APP_ENTRY_TOO_LARGE' });
    } finally {
      archive.close();
    }
  });
});

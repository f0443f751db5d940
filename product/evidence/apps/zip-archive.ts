import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import { inflateRaw as inflateRawCallback } from 'node:zlib';
import yauzl from 'yauzl';
import { errorMessage } from '../../core/errors.js';
import { printable } from '../../core/untrusted.js';
import { AppInputError } from './errors.js';
import { ReadAheadReader } from './read-ahead-reader.js';

/**
 * Bounded reading of untrusted zip archives (APK, .apks, XAPK). The central directory is read
 * once and checked before any byte is inflated: entry count, declared total size, compression
 * ratio, names. Reads then stop at a cap whatever the headers say, and yauzl's
 * validateEntrySizes catches entries whose data inflates to more than they declare.
 */
export interface ArchiveLimits {
  maxEntries: number;
  /** Sum of declared uncompressed sizes. */
  maxTotalBytes: number;
  /** uncompressed / compressed above this, for entries above ratioFloorBytes, is a bomb. */
  maxRatio: number;
  ratioFloorBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: ArchiveLimits = {
  maxEntries: 200_000,
  maxTotalBytes: 8 * 1024 ** 3,
  // Real APK entries (dex, arsc, xml, png) compress 1-10x; 100x on a megabyte or more is zeros.
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

/** Compression method 8 (APPNOTE.TXT 4.4.5); the only one besides 0 (stored) in APKs. */
const DEFLATE = 8;

const YAUZL_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  validateEntrySizes: true,
  strictFileNames: true,
};

export interface ArchiveEntry {
  readonly name: string;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** 0 stored, 8 deflated. */
  readonly compressionMethod: number;
}

export class ZipArchive {
  private constructor(
    readonly file: string,
    private readonly zip: yauzl.ZipFile,
    private readonly raw: Map<string, yauzl.Entry>,
    readonly entries: readonly ArchiveEntry[],
  ) {}

  static async open(file: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ZipArchive> {
    return ZipArchive.from(file, () => openWithReadAhead(file), limits);
  }

  /** The same over bytes already in memory (an APK pushed to the virtual device); `name` is for errors. */
  static async fromBuffer(bytes: Buffer, name: string, limits: ArchiveLimits = DEFAULT_ARCHIVE_LIMITS): Promise<ZipArchive> {
    return ZipArchive.from(name, () => yauzl.fromBufferPromise(bytes, YAUZL_OPTIONS), limits);
  }

  private static async from(file: string, openZip: () => Promise<yauzl.ZipFile>, limits: ArchiveLimits): Promise<ZipArchive> {
    let zip: yauzl.ZipFile;
    try {
      zip = await openZip();
    } catch (cause) {
      throw zipError(file, cause);
    }
    try {
      const raw = await readCentralDirectory(file, zip, limits);
      const entries = [...raw.values()].map(toEntry);
      return new ZipArchive(file, zip, raw, entries);
    } catch (err) {
      zip.close();
      throw err;
    }
  }

  has(name: string): boolean {
    return this.raw.has(name);
  }

  entry(name: string): ArchiveEntry | undefined {
    const e = this.raw.get(name);
    return e ? toEntry(e) : undefined;
  }

  /** Inflates one entry into memory, failing as soon as it passes maxBytes. */
  async read(name: string, maxBytes: number): Promise<Buffer> {
    const entry = this.require(name);
    if (entry.uncompressedSize > maxBytes) throw tooLarge(this.file, name, entry.uncompressedSize, maxBytes);
    if (entry.compressionMethod === DEFLATE && !entry.isEncrypted()) return this.inflateWhole(entry);
    return this.collect(entry, await this.openStream(entry), maxBytes);
  }

  /**
   * A deflated entry: its compressed bytes, then one inflate call into one buffer of the declared
   * size. Streaming inflate (16 KiB chunks, a stream turn each, then a copy to join them) took
   * 2-3x longer on DEX files of megabytes. The declared size was checked against the caps; the
   * output may not exceed it (maxOutputLength) nor fall short of it, as yauzl's stream checks.
   */
  private async inflateWhole(entry: yauzl.Entry): Promise<Buffer> {
    const name = entry.fileName;
    const compressed = await this.collect(entry, await this.openStream(entry, { decodeFileData: false }), entry.compressedSize);
    const size = entry.uncompressedSize;
    let out: Buffer;
    try {
      // One byte of room past the declared size, so a stream that fits ends in this chunk.
      out = await inflateRaw(compressed, { chunkSize: Math.max(64, size + 1), maxOutputLength: Math.max(1, size) });
    } catch (err) {
      const over = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      throw zipError(this.file, over ? new Error(`too many bytes in the stream. expected ${size}. got at least ${size + 1}`) : err, name);
    }
    if (out.length !== size) throw zipError(this.file, new Error(`not enough bytes in the stream. expected ${size}. got only ${out.length}`), name);
    return out;
  }

  private async collect(entry: yauzl.Entry, stream: Readable, maxBytes: number): Promise<Buffer> {
    const name = entry.fileName;
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) throw tooLarge(this.file, name, size, maxBytes);
        chunks.push(chunk);
      }
    } catch (err) {
      stream.destroy();
      throw err instanceof AppInputError ? err : zipError(this.file, err, name);
    }
    return Buffer.concat(chunks, size);
  }

  /** Streams one entry to a file on disk, with the same cap. */
  async extract(name: string, dest: string, maxBytes: number): Promise<void> {
    const entry = this.require(name);
    if (entry.uncompressedSize > maxBytes) throw tooLarge(this.file, name, entry.uncompressedSize, maxBytes);
    const stream = await this.openStream(entry);
    let size = 0;
    const file = this.file;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > maxBytes) done(tooLarge(file, name, size, maxBytes));
        else done(null, chunk);
      },
    });
    try {
      await pipeline(stream, cap, createWriteStream(dest, { flags: 'wx' }));
    } catch (err) {
      throw err instanceof AppInputError ? err : zipError(this.file, err, name);
    }
  }

  close(): void {
    this.zip.close();
  }

  private require(name: string): yauzl.Entry {
    const entry = this.raw.get(name);
    if (!entry) {
      throw new AppInputError('APP_ZIP_INVALID', `the archive has no entry "${printable(name)}"`, {
        file: this.file,
        field: name,
      });
    }
    return entry;
  }

  private async openStream(entry: yauzl.Entry, options: yauzl.ZipFileOptions = {}): Promise<Readable> {
    try {
      return await this.zip.openReadStreamPromise(entry, options);
    } catch (cause) {
      throw zipError(this.file, cause, entry.fileName);
    }
  }
}

const inflateRaw = promisify(inflateRawCallback);

/** yauzl over a read-ahead reader: the central directory in a few reads instead of two per entry. */
async function openWithReadAhead(file: string): Promise<yauzl.ZipFile> {
  const reader = await ReadAheadReader.open(file);
  try {
    return await yauzl.fromRandomAccessReaderPromise(reader, reader.size, YAUZL_OPTIONS);
  } catch (err) {
    // yauzl only releases the reader through a ZipFile it returned.
    await reader.discard();
    throw err;
  }
}

/** Opens, runs `fn` and always closes. */
export async function withArchive<T>(
  file: string,
  fn: (archive: ZipArchive) => Promise<T>,
  limits?: ArchiveLimits,
): Promise<T> {
  const archive = await ZipArchive.open(file, limits);
  try {
    return await fn(archive);
  } finally {
    archive.close();
  }
}

async function readCentralDirectory(
  file: string,
  zip: yauzl.ZipFile,
  limits: ArchiveLimits,
): Promise<Map<string, yauzl.Entry>> {
  if (zip.entryCount > limits.maxEntries) {
    throw new AppInputError(
      'APP_ZIP_BOMB',
      `the archive declares ${zip.entryCount} entries (at most ${limits.maxEntries} accepted)`,
      { file },
    );
  }
  const entries = new Map<string, yauzl.Entry>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.removeAllListeners('entry');
      reject(err);
    };
    zip.on('error', (cause: unknown) => fail(zipError(file, cause)));
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      if (entries.has(name)) {
        // Two entries with one name let installers and scanners see different files.
        return fail(new AppInputError('APP_ZIP_INVALID', 'the archive has two entries with this name', { file, field: name }));
      }
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) {
        return fail(
          new AppInputError(
            'APP_ZIP_BOMB',
            `the archive declares more than ${limits.maxTotalBytes} bytes uncompressed`,
            { file, field: name },
          ),
        );
      }
      const ratio = entry.uncompressedSize / Math.max(1, entry.compressedSize);
      if (entry.uncompressedSize >= limits.ratioFloorBytes && ratio > limits.maxRatio) {
        return fail(
          new AppInputError(
            'APP_ZIP_BOMB',
            `entry inflates ${Math.round(ratio)}x (${entry.uncompressedSize} bytes from ${entry.compressedSize}); ` +
              `more than ${limits.maxRatio}x is treated as a zip bomb`,
            { file, field: name },
          ),
        );
      }
      entries.set(name, entry);
      zip.readEntry();
    });
    zip.readEntry();
  });
  return entries;
}

function toEntry(e: yauzl.Entry): ArchiveEntry {
  return {
    name: e.fileName,
    compressedSize: e.compressedSize,
    uncompressedSize: e.uncompressedSize,
    compressionMethod: e.compressionMethod,
  };
}

function tooLarge(file: string, name: string, size: number, max: number): AppInputError {
  return new AppInputError(
    'APP_ENTRY_TOO_LARGE',
    `entry is larger than ${max} bytes (at least ${size}); consentry does not read it`,
    { file, field: name },
  );
}

/** Maps yauzl's messages onto stable codes; the message keeps yauzl's words for the detail. */
function zipError(file: string, cause: unknown, entry?: string): AppInputError {
  const msg = errorMessage(cause);
  const where = { file, cause, ...(entry ? { field: entry } : {}) };
  if (/invalid relative path|absolute path|invalid characters in fileName/.test(msg)) {
    return new AppInputError('APP_ZIP_TRAVERSAL', `unsafe entry name (${printable(msg)}): expected relative names inside the archive`, where);
  }
  if (/too many bytes in the stream/.test(msg)) {
    return new AppInputError('APP_ZIP_BOMB', `entry inflates to more than its header declares (${printable(msg)})`, where);
  }
  if (entry) {
    return new AppInputError('APP_ZIP_INVALID', `entry data is corrupt or truncated (${printable(msg)})`, where);
  }
  if (/end of central directory record signature not found|unexpected EOF|not enough bytes/i.test(msg)) {
    return new AppInputError('APP_ZIP_INVALID', `not a complete zip archive, truncated or not a zip (${printable(msg)})`, where);
  }
  return new AppInputError('APP_ZIP_INVALID', `unreadable zip archive (${printable(msg)})`, where);
}

import { close, fstat, open, read } from 'node:fs';
import { promisify } from 'node:util';
import { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * A file reader for yauzl that reads ahead. yauzl reads the central directory with two small
 * reads per entry (46 bytes, then name + extra + comment); over a plain file descriptor each
 * is a thread-pool round trip, and each answer costs an event-loop turn. On an APK with 3,841
 * entries that was ~300 ms per open, more than inflating its 14 MB of DEX.
 *
 * Here a small read that misses the window fills a window starting at it, and windows grow
 * while reads stay sequential (the central directory is one contiguous run, so its whole
 * scan takes a handful of reads); a random miss (a local header before an entry's data)
 * starts small again. Hits are answered on the next tick, without an event-loop turn.
 *
 * Memory is bounded: one window of at most `maxWindowBytes` per open archive, whatever the
 * archive declares. yauzl keeps every structural check; this only changes where bytes come from.
 */
export interface ReadAheadOptions {
  minWindowBytes: number;
  maxWindowBytes: number;
}

export const DEFAULT_READ_AHEAD: ReadAheadOptions = { minWindowBytes: 64 * 1024, maxWindowBytes: 4 * 1024 * 1024 };

/** yauzl passes the byte count as a second argument; its type declarations omit it. */
type ReadCallback = (err: Error | null, bytesRead?: number) => void;

interface Window {
  readonly start: number;
  readonly bytes: Buffer;
}

const openFile = promisify(open);
const statFd = promisify(fstat);
const closeFd = promisify(close);

export class ReadAheadReader extends yauzl.RandomAccessReader {
  private window: Window | undefined;
  private fillBytes: number;

  private constructor(
    private readonly fd: number,
    readonly size: number,
    private readonly options: ReadAheadOptions,
  ) {
    super();
    this.fillBytes = options.minWindowBytes;
  }

  /** Opens `file` read-only; the descriptor is closed when yauzl releases its last reference. */
  static async open(file: string, options: ReadAheadOptions = DEFAULT_READ_AHEAD): Promise<ReadAheadReader> {
    const fd = await openFile(file, 'r');
    try {
      const { size } = await statFd(fd);
      return new ReadAheadReader(fd, size, options);
    } catch (err) {
      await closeFd(fd);
      throw err;
    }
  }

  /** Closes the descriptor when yauzl never took a reference (the archive failed to open). */
  async discard(): Promise<void> {
    await closeFd(this.fd);
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: ReadCallback): void {
    const w = this.window;
    if (w && position >= w.start && position + length <= w.start + w.bytes.length) {
      const from = position - w.start;
      w.bytes.copy(buffer, offset, from, from + length);
      process.nextTick(callback, null, length);
      return;
    }
    this.fill(position, length, w).then(
      (filled) => {
        const n = Math.max(0, Math.min(length, filled.bytes.length - (position - filled.start)));
        filled.bytes.copy(buffer, offset, position - filled.start, position - filled.start + n);
        callback(null, n);
      },
      (err: Error) => callback(err),
    );
  }

  /** Entry data streams straight from the file, never through the window. */
  override _readStreamForRange(start: number, end: number): Readable {
    return new FileRangeStream(this.fd, start, end);
  }

  override close(callback: (err: Error | null) => void): void {
    this.window = undefined;
    close(this.fd, (err) => callback(err));
  }

  private async fill(position: number, length: number, previous: Window | undefined): Promise<Window> {
    const sequential = previous !== undefined && position >= previous.start && position <= previous.start + previous.bytes.length;
    this.fillBytes = sequential ? Math.min(this.fillBytes * 2, this.options.maxWindowBytes) : this.options.minWindowBytes;
    // A read larger than the window (yauzl's end-of-directory search, 64 KiB) is read whole.
    const want = Math.max(0, Math.min(Math.max(length, this.fillBytes), this.size - position));
    const bytes = Buffer.allocUnsafe(want);
    let got = 0;
    while (got < want) {
      const { bytesRead } = await readAt(this.fd, bytes, got, want - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    const window = { start: position, bytes: bytes.subarray(0, got) };
    this.window = window;
    return window;
  }
}

function readAt(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve({ bytesRead })));
  });
}

/** Entry data streams read in this many bytes at a time (bounded memory per open entry). */
const STREAM_CHUNK_BYTES = 256 * 1024;

/**
 * [start, end) of a shared descriptor by positional reads. Not fs.createReadStream: destroying
 * one (yauzl does when a reader stops early, and async iteration does at its end) closes the
 * descriptor even with autoClose off, and the archive's other entries would read a closed file.
 */
class FileRangeStream extends Readable {
  private position: number;

  constructor(
    private readonly fd: number,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: STREAM_CHUNK_BYTES });
    this.position = start;
  }

  override _read(): void {
    const length = Math.min(STREAM_CHUNK_BYTES, this.end - this.position);
    if (length <= 0) {
      this.push(null);
      return;
    }
    const chunk = Buffer.allocUnsafe(length);
    read(this.fd, chunk, 0, length, this.position, (err, bytesRead) => {
      if (err) return this.destroy(err);
      if (bytesRead === 0) return this.destroy(new Error('unexpected EOF'));
      this.position += bytesRead;
      this.push(chunk.subarray(0, bytesRead));
    });
  }
}

import type { Readable } from 'node:stream';

/** Buffered reads of exact sizes from a stream (the sync protocol's framing ignores WRTE boundaries). */
export class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private ended = false;
  private waiter: (() => void) | undefined;
  /** Past this much unread data the source is paused: a fast host cannot fill memory. */
  private static readonly HIGH_WATER = 4 * 1024 * 1024;

  constructor(private readonly source: Readable) {
    source.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      if (this.length > ByteReader.HIGH_WATER) source.pause();
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    source.on('end', end);
    source.on('close', end);
    source.on('error', end);
  }

  /** Exactly n bytes, or undefined when the stream ends first. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.length < n) {
      if (this.ended) return undefined;
      if (this.source.isPaused()) this.source.resume();
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
    if (this.length <= ByteReader.HIGH_WATER && this.source.isPaused() && !this.ended) this.source.resume();
    return out;
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}

import { Duplex } from 'node:stream';

/**
 * Two connected in-memory duplex ends: an app on the device connecting to a device-side
 * listener (UiAutomator2 on 6790, frida on 27042) never touches the host's network stack.
 * Ending one side ends the other's readable side, like a TCP FIN.
 */
export function socketPair(): [Duplex, Duplex] {
  const ends: PairEnd[] = [];
  ends.push(new PairEnd(() => ends[1]), new PairEnd(() => ends[0]));
  return [ends[0]!, ends[1]!];
}

class PairEnd extends Duplex {
  private pending: (() => void) | undefined;

  constructor(private readonly peer: () => PairEnd | undefined) {
    super({ allowHalfOpen: true });
  }

  /** Called by the peer: deliver its bytes here, and hold the peer back while we are full. */
  deliver(chunk: Buffer, done: () => void): void {
    if (this.destroyed) {
      done();
      return;
    }
    if (this.push(chunk)) done();
    else this.pending = done;
  }

  override _read(): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, callback: (error?: Error | null) => void): void {
    const peer = this.peer();
    if (!peer || peer.destroyed) {
      callback();
      return;
    }
    peer.deliver(chunk, () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.peer()?.push(null);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const peer = this.peer();
    const pending = this.pending;
    this.pending = undefined;
    pending?.();
    if (peer && !peer.destroyed) {
      peer.push(null);
      peer.destroy();
    }
    callback(error);
  }
}

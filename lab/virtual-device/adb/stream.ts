import { Duplex } from 'node:stream';
import { A_CLSE, A_OKAY, A_WRTE } from './packet.js';

/** What a stream needs from its connection: send a packet, know the negotiated payload size. */
export interface PacketSink {
  send(command: number, arg0: number, arg1: number, data?: Buffer): void;
  maxPayload(): number;
  forget(localId: number): void;
}

/** How long a closing stream waits for the peer to acknowledge its last write. */
const LAST_ACK_WAIT_MS = 5_000;
/** How long unread data may linger after the peer closed before the stream is torn down. */
const DRAIN_AFTER_CLOSE_MS = 10_000;

/**
 * One ADB stream seen from the device, as a Node duplex. Flow control follows protocol.txt:
 * after a WRTE the sender waits for the peer's OKAY before the next WRTE, and the device
 * withholds its own OKAY while the service is not reading (Node backpressure), so a slow
 * service slows the host down instead of buffering without bound.
 */
export class AdbStream extends Duplex {
  remoteId: number;
  private canSend: boolean;
  private waiters: (() => void)[] = [];
  private owedOkay = false;
  private closeSent = false;
  private remoteClosed = false;
  private openWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;

  constructor(
    private readonly sink: PacketSink,
    readonly localId: number,
    remoteId: number,
    readonly service: string,
  ) {
    super({ allowHalfOpen: false });
    this.remoteId = remoteId;
    // A stream the host opened may be written at once; one we open waits for the host's OKAY.
    this.canSend = remoteId !== 0;
  }

  /** For streams the device opens towards the host (adb reverse): resolves on the host's OKAY. */
  whenOpened(): Promise<void> {
    if (this.remoteId !== 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.openWaiter = { resolve, reject };
    });
  }

  get isClosed(): boolean {
    return this.closeSent || this.remoteClosed;
  }

  /** OKAY from the peer: either the answer to our OPEN or the ack of our last WRTE. */
  onOkay(remoteId: number): void {
    if (this.remoteId === 0) {
      this.remoteId = remoteId;
      this.canSend = true;
      this.openWaiter?.resolve();
      this.openWaiter = undefined;
      this.wake();
      return;
    }
    this.canSend = true;
    this.wake();
  }

  onWrite(data: Buffer): void {
    if (this.remoteClosed) return;
    if (this.push(data)) this.sendOkay();
    else this.owedOkay = true;
  }

  onRemoteClose(): void {
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.openWaiter?.reject(new Error(`the host refused to open ${this.service}`));
    this.openWaiter = undefined;
    this.wake();
    this.push(null);
    // Data that arrived before CLSE stays readable: a reader still consuming it gets a clean
    // end. A stream nobody reads is torn down at once, so its service sees 'close'.
    if (this.readableFlowing === true || this.readableLength > 0) {
      const timer = setTimeout(() => this.destroy(), DRAIN_AFTER_CLOSE_MS);
      timer.unref();
      this.once('end', () => {
        clearTimeout(timer);
        setImmediate(() => this.destroy());
      });
    } else this.destroy();
  }

  override _read(): void {
    if (this.owedOkay && !this.isClosed) {
      this.owedOkay = false;
      this.sendOkay();
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendChunks(chunk).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    // Let the last WRTE be acknowledged first, so the host has the data before it sees CLSE.
    const timer = setTimeout(() => this.wake(), LAST_ACK_WAIT_MS);
    this.waitSendable().then(() => {
      clearTimeout(timer);
      this.sendClose();
      callback();
    }, callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.sendClose();
    this.openWaiter?.reject(error ?? new Error('stream destroyed'));
    this.openWaiter = undefined;
    this.wake();
    this.sink.forget(this.localId);
    callback(error);
  }

  private async sendChunks(chunk: Buffer): Promise<void> {
    const max = this.sink.maxPayload();
    for (let offset = 0; offset < chunk.length; offset += max) {
      await this.waitSendable();
      // Writes after the peer closed are dropped: the reader is gone, as with a closed pipe.
      if (this.isClosed) return;
      this.canSend = false;
      this.sink.send(A_WRTE, this.localId, this.remoteId, chunk.subarray(offset, offset + max));
    }
  }

  private waitSendable(): Promise<void> {
    if (this.canSend || this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private sendOkay(): void {
    this.sink.send(A_OKAY, this.localId, this.remoteId);
  }

  private sendClose(): void {
    if (this.closeSent) return;
    this.closeSent = true;
    // A stream the host already closed needs no CLSE back; one the host never accepted has no id yet.
    if (!this.remoteClosed && this.remoteId !== 0) this.sink.send(A_CLSE, this.localId, this.remoteId);
    this.wake();
  }
}

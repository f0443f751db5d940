import type { Socket } from 'node:net';
import type { Logger } from '../../../product/core/logger.js';
import { errorMessage } from '../../../product/core/errors.js';
import {
  A_AUTH,
  A_CLSE,
  A_CNXN,
  A_OKAY,
  A_OPEN,
  A_STLS,
  A_VERSION_SKIP_CHECKSUM,
  A_WRTE,
  MAX_PAYLOAD,
  MAX_PAYLOAD_V1,
  commandName,
  encodePacket,
  PacketParser,
  type AdbPacket,
} from './packet.js';
import { AdbStream, type PacketSink } from './stream.js';

/** Runs one service on an accepted stream. */
export type ServiceHandler = (stream: AdbStream) => void | Promise<void>;

/**
 * Resolves a service name ("shell:ls", "sync:", "tcp:6790"...) to its handler, or undefined
 * when the device refuses it (the host then sees CLSE, as adbd answers an unknown service).
 */
export type ServiceResolver = (name: string, connection: AdbConnection) => Promise<ServiceHandler | undefined>;

export interface ConnectionOptions {
  /** CNXN payload: "device::ro.product.name=...;ro.product.model=...;ro.product.device=...;features=..." */
  banner: string;
  resolve: ServiceResolver;
  logger: Logger;
  onClose?: (connection: AdbConnection) => void;
}

let connectionIds = 0;

/** One host (adb server) connected to the device's TCP transport. */
export class AdbConnection implements PacketSink {
  readonly id = ++connectionIds;
  private readonly parser = new PacketParser(MAX_PAYLOAD);
  private readonly streams = new Map<number, AdbStream>();
  private nextLocalId = 1;
  private payload = MAX_PAYLOAD_V1;
  private online = false;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly options: ConnectionOptions,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => options.logger.debug({ err: errorMessage(err) }, 'adb connection error'));
    socket.on('close', () => this.shutdown());
  }

  get isOnline(): boolean {
    return this.online && !this.closed;
  }

  maxPayload(): number {
    return this.payload;
  }

  send(command: number, arg0: number, arg1: number, data: Buffer = Buffer.alloc(0)): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(encodePacket({ command, arg0, arg1, data }));
  }

  forget(localId: number): void {
    this.streams.delete(localId);
  }

  /**
   * Opens a stream from the device to the host, as adbd does for `adb reverse`: OPEN with the
   * host-side destination (e.g. "tcp:8080"); the host answers OKAY or CLSE.
   */
  async openToHost(destination: string): Promise<AdbStream> {
    if (!this.isOnline) throw new Error('the host connection is not online');
    const stream = this.createStream(0, destination);
    this.send(A_OPEN, stream.localId, 0, Buffer.from(`${destination}\0`, 'utf8'));
    await stream.whenOpened();
    return stream;
  }

  close(): void {
    this.socket.destroy();
    this.shutdown();
  }

  private shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.onRemoteClose();
    this.streams.clear();
    this.options.onClose?.(this);
  }

  private createStream(remoteId: number, service: string): AdbStream {
    const localId = this.nextLocalId;
    this.nextLocalId = (this.nextLocalId % 0x7fffffff) + 1;
    const stream = new AdbStream(this, localId, remoteId, service);
    // Errors on a stream are the service's business; they must not take the connection down.
    stream.on('error', (err) => this.options.logger.debug({ service, err: errorMessage(err) }, 'stream error'));
    this.streams.set(localId, stream);
    return stream;
  }

  private onData(chunk: Buffer): void {
    let packets: AdbPacket[];
    try {
      packets = this.parser.push(chunk);
    } catch (err) {
      this.options.logger.warn({ err: errorMessage(err) }, 'malformed adb packet; dropping the connection');
      this.close();
      return;
    }
    for (const packet of packets) this.onPacket(packet);
  }

  private onPacket(packet: AdbPacket): void {
    const { command, arg0, arg1, data } = packet;
    this.options.logger.trace({ cmd: commandName(command), arg0, arg1, len: data.length }, 'adb packet');
    switch (command) {
      case A_CNXN: {
        // protocol.txt: both sides use the smaller max payload; version 0x01000001 skips checksums.
        const version = Math.min(arg0, A_VERSION_SKIP_CHECKSUM);
        this.payload = Math.max(MAX_PAYLOAD_V1, Math.min(arg1 || MAX_PAYLOAD_V1, MAX_PAYLOAD));
        // A host that reconnects on the same socket starts over: its old streams are gone.
        for (const stream of [...this.streams.values()]) stream.onRemoteClose();
        this.online = true;
        this.send(A_CNXN, version, MAX_PAYLOAD, Buffer.from(this.options.banner, 'utf8'));
        return;
      }
      case A_AUTH:
        // We never send an AUTH token (TCP devices in a lab run without auth), so a host's AUTH
        // answer can only mean it wants to connect: answer with our CNXN.
        this.send(A_CNXN, A_VERSION_SKIP_CHECKSUM, MAX_PAYLOAD, Buffer.from(this.options.banner, 'utf8'));
        this.online = true;
        return;
      case A_STLS:
        // TLS is offered by adb 30+ for wireless debugging only; a TCP device without it is fine.
        return;
      case A_OPEN:
        void this.onOpen(arg0, data);
        return;
      case A_OKAY:
        this.streams.get(arg1)?.onOkay(arg0);
        return;
      case A_WRTE: {
        const stream = this.streams.get(arg1);
        if (stream) stream.onWrite(data);
        else this.send(A_CLSE, 0, arg0);
        return;
      }
      case A_CLSE:
        this.streams.get(arg1)?.onRemoteClose();
        return;
      default:
        this.options.logger.debug({ cmd: commandName(command) }, 'ignoring unknown adb packet');
    }
  }

  private async onOpen(remoteId: number, data: Buffer): Promise<void> {
    const nul = data.indexOf(0);
    const name = data.subarray(0, nul === -1 ? data.length : nul).toString('utf8');
    let handler: ServiceHandler | undefined;
    try {
      handler = await this.options.resolve(name, this);
    } catch (err) {
      this.options.logger.debug({ service: name, err: errorMessage(err) }, 'service refused');
    }
    if (!handler || this.closed) {
      this.send(A_CLSE, 0, remoteId);
      return;
    }
    const stream = this.createStream(remoteId, name);
    this.send(A_OKAY, stream.localId, remoteId);
    try {
      await handler(stream);
    } catch (err) {
      this.options.logger.warn({ service: name, err: errorMessage(err) }, 'service failed');
      stream.destroy();
    }
  }
}

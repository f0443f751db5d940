/**
 * ADB transport packets (system/core/adb/protocol.txt): a 24-byte little-endian header
 * (command, arg0, arg1, data_length, data_check, magic = command ^ 0xffffffff) followed by
 * data_length bytes of payload.
 */

export const A_SYNC = 0x434e5953;
export const A_CNXN = 0x4e584e43;
export const A_AUTH = 0x48545541;
export const A_OPEN = 0x4e45504f;
export const A_OKAY = 0x59414b4f;
export const A_CLSE = 0x45534c43;
export const A_WRTE = 0x45545257;
export const A_STLS = 0x534c5453;

/** Protocol version 1.0.0 required payload checksums; 0x01000001 lets both sides skip them. */
export const A_VERSION_MIN = 0x01000000;
export const A_VERSION_SKIP_CHECKSUM = 0x01000001;
/** adbd's MAX_PAYLOAD since Android 7 (1 MiB); old hosts negotiate down to 4 KiB. */
export const MAX_PAYLOAD = 1024 * 1024;
export const MAX_PAYLOAD_V1 = 4 * 1024;
export const HEADER_SIZE = 24;

export interface AdbPacket {
  command: number;
  arg0: number;
  arg1: number;
  data: Buffer;
}

const NAMES: Record<number, string> = {
  [A_SYNC]: 'SYNC',
  [A_CNXN]: 'CNXN',
  [A_AUTH]: 'AUTH',
  [A_OPEN]: 'OPEN',
  [A_OKAY]: 'OKAY',
  [A_CLSE]: 'CLSE',
  [A_WRTE]: 'WRTE',
  [A_STLS]: 'STLS',
};

export function commandName(command: number): string {
  return NAMES[command] ?? `0x${command.toString(16)}`;
}

/** The legacy data_check: the unsigned sum of the payload bytes. */
export function checksum(data: Buffer): number {
  let sum = 0;
  for (const byte of data) sum = (sum + byte) >>> 0;
  return sum;
}

export function encodePacket(packet: AdbPacket): Buffer {
  const header = Buffer.alloc(HEADER_SIZE);
  header.writeUInt32LE(packet.command >>> 0, 0);
  header.writeUInt32LE(packet.arg0 >>> 0, 4);
  header.writeUInt32LE(packet.arg1 >>> 0, 8);
  header.writeUInt32LE(packet.data.length, 12);
  // Always sent: a version-1.0.0 host checks it, newer hosts ignore it.
  header.writeUInt32LE(checksum(packet.data), 16);
  header.writeUInt32LE((packet.command ^ 0xffffffff) >>> 0, 20);
  return packet.data.length ? Buffer.concat([header, packet.data]) : header;
}

export class AdbProtocolError extends Error {
  readonly code = 'ADB_PROTOCOL';
}

/**
 * Splits a TCP byte stream into packets. Bytes arrive in arbitrary pieces, so a header or a
 * payload may span several chunks.
 */
export class PacketParser {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(private readonly maxData: number = MAX_PAYLOAD) {}

  push(chunk: Buffer): AdbPacket[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const packets: AdbPacket[] = [];
    while (this.buffer.length >= HEADER_SIZE) {
      const command = this.buffer.readUInt32LE(0);
      const magic = this.buffer.readUInt32LE(20);
      if (((command ^ 0xffffffff) >>> 0) !== magic) {
        throw new AdbProtocolError(`bad packet magic for command 0x${command.toString(16)}`);
      }
      const length = this.buffer.readUInt32LE(12);
      if (length > this.maxData) throw new AdbProtocolError(`payload of ${length} bytes exceeds ${this.maxData}`);
      if (this.buffer.length < HEADER_SIZE + length) break;
      packets.push({
        command,
        arg0: this.buffer.readUInt32LE(4),
        arg1: this.buffer.readUInt32LE(8),
        data: Buffer.from(this.buffer.subarray(HEADER_SIZE, HEADER_SIZE + length)),
      });
      this.buffer = this.buffer.subarray(HEADER_SIZE + length);
    }
    return packets;
  }
}

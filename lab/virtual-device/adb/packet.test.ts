import { describe, expect, it } from 'vitest';
import { A_CNXN, A_WRTE, AdbProtocolError, checksum, encodePacket, HEADER_SIZE, PacketParser } from './packet.js';

describe('adb packet framing', () => {
  it('encodes the 24-byte little-endian header with checksum and magic', () => {
    const data = Buffer.from('host::\0');
    const bytes = encodePacket({ command: A_CNXN, arg0: 0x01000001, arg1: 256 * 1024, data });
    expect(bytes.length).toBe(HEADER_SIZE + data.length);
    expect(bytes.toString('latin1', 0, 4)).toBe('CNXN');
    expect(bytes.readUInt32LE(4)).toBe(0x01000001);
    expect(bytes.readUInt32LE(8)).toBe(256 * 1024);
    expect(bytes.readUInt32LE(12)).toBe(data.length);
    expect(bytes.readUInt32LE(16)).toBe(checksum(data));
    expect(bytes.readUInt32LE(20)).toBe((A_CNXN ^ 0xffffffff) >>> 0);
  });

  it('reassembles packets split at any byte and several packets in one chunk', () => {
    const a = encodePacket({ command: A_WRTE, arg0: 1, arg1: 2, data: Buffer.from('hello') });
    const b = encodePacket({ command: A_WRTE, arg0: 1, arg1: 2, data: Buffer.alloc(0) });
    const all = Buffer.concat([a, b]);
    for (let cut = 1; cut < all.length; cut += 1) {
      const parser = new PacketParser();
      const packets = [...parser.push(all.subarray(0, cut)), ...parser.push(all.subarray(cut))];
      expect(packets.map((p) => p.data.toString())).toEqual(['hello', '']);
    }
  });

  it('rejects a bad magic and an oversized payload', () => {
    const bad = encodePacket({ command: A_WRTE, arg0: 0, arg1: 0, data: Buffer.alloc(0) });
    bad.writeUInt32LE(0, 20);
    expect(() => new PacketParser().push(bad)).toThrow(AdbProtocolError);
    const big = encodePacket({ command: A_WRTE, arg0: 0, arg1: 0, data: Buffer.alloc(10) });
    expect(() => new PacketParser(4).push(big)).toThrow(/exceeds/);
  });
});

/**
 * The shell v2 protocol (adb/shell_protocol.h): inside the ADB stream, each packet is one id
 * byte, a 4-byte little-endian length and the data. It carries stdout, stderr and the exit
 * code separately, which is how `adb shell false` can exit with 1.
 */
export const SHELL_ID = {
  stdin: 0,
  stdout: 1,
  stderr: 2,
  exit: 3,
  closeStdin: 4,
  windowSizeChange: 5,
} as const;

export function encodeShellPacket(id: number, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const header = Buffer.alloc(5);
  header.writeUInt8(id, 0);
  header.writeUInt32LE(payload.length, 1);
  return Buffer.concat([header, payload]);
}

export interface ShellPacket {
  id: number;
  data: Buffer;
}

export class ShellPacketParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): ShellPacket[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const packets: ShellPacket[] = [];
    while (this.buffer.length >= 5) {
      const length = this.buffer.readUInt32LE(1);
      if (this.buffer.length < 5 + length) break;
      packets.push({ id: this.buffer.readUInt8(0), data: Buffer.from(this.buffer.subarray(5, 5 + length)) });
      this.buffer = this.buffer.subarray(5 + length);
    }
    return packets;
  }
}

/** "shell,v2,TERM=xterm-256color,raw:ls -l" → its options and command. */
export interface ShellRequest {
  protocol: 'none' | 'v2';
  type: 'raw' | 'pty';
  term: string | undefined;
  command: string;
}

export function parseShellService(name: string): ShellRequest | undefined {
  const colon = name.indexOf(':');
  if (colon === -1) return undefined;
  const head = name.slice(0, colon);
  const command = name.slice(colon + 1);
  const [service, ...args] = head.split(',');
  if (service !== 'shell') return undefined;
  // adbd's defaults: a pty for an interactive shell, raw for a command; no protocol.
  const request: ShellRequest = { protocol: 'none', type: command ? 'raw' : 'pty', term: undefined, command };
  for (const arg of args) {
    if (arg === 'v2') request.protocol = 'v2';
    else if (arg === 'raw') request.type = 'raw';
    else if (arg === 'pty') request.type = 'pty';
    else if (arg.startsWith('TERM=')) request.term = arg.slice(5);
  }
  return request;
}

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * The smallest RFC 6455 WebSocket endpoints that real proxies accept: an echo server (attached
 * to an HTTPS origin's 'upgrade' event) and a client speaking over an existing TLS tunnel.
 * Text frames only, no extensions; enough to check that both capture adapters record messages.
 */

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function encodeFrame(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, (mask ? 0x80 : 0) | len]) : Buffer.from([0x80 | opcode, (mask ? 0x80 : 0) | 126, len >> 8, len & 0xff]);
  if (!mask) return Buffer.concat([head, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]!)) as Buffer;
  return Buffer.concat([head, key, masked]);
}

/** Parses whole frames off the front of `buf`; returns them and the rest. */
export function decodeFrames(buf: Buffer): { frames: { opcode: number; payload: Buffer }[]; rest: Buffer } {
  const frames: { opcode: number; payload: Buffer }[] = [];
  let pos = 0;
  while (pos + 2 <= buf.length) {
    const opcode = buf[pos]! & 0x0f;
    const masked = (buf[pos + 1]! & 0x80) !== 0;
    let len = buf[pos + 1]! & 0x7f;
    let off = pos + 2;
    if (len === 126) {
      if (off + 2 > buf.length) break;
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      if (off + 8 > buf.length) break;
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    const key = masked ? buf.subarray(off, off + 4) : undefined;
    if (masked) off += 4;
    if (off + len > buf.length) break;
    const payload = Buffer.from(buf.subarray(off, off + len));
    if (key) for (let i = 0; i < payload.length; i += 1) payload[i] = payload[i]! ^ key[i % 4]!;
    frames.push({ opcode, payload });
    pos = off + len;
  }
  return { frames, rest: buf.subarray(pos) };
}

/** Echo server: `echo:<text>` back for every text frame; answers a close with a close. */
export function acceptEchoWebSocket(req: IncomingMessage, socket: Duplex): void {
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string') {
    socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    return;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let buffered: Buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const { frames, rest } = decodeFrames(Buffer.concat([buffered, chunk]));
    buffered = rest;
    for (const f of frames) {
      if (f.opcode === 1) socket.write(encodeFrame(1, Buffer.concat([Buffer.from('echo:'), f.payload]), false));
      else if (f.opcode === 8) socket.end(encodeFrame(8, f.payload, false));
    }
  });
  socket.on('error', () => socket.destroy());
}

/** Opens a WebSocket over `socket`, sends `messages`, waits for their echoes, closes. */
export async function webSocketExchange(socket: Duplex, host: string, path: string, messages: string[], timeoutMs = 10_000): Promise<string[]> {
  const key = randomBytes(16).toString('base64');
  return new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('WebSocket exchange timed out')), timeoutMs);
    const received: string[] = [];
    let buffered: Buffer = Buffer.alloc(0);
    let open = false;
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (!open) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.subarray(0, end).toString('latin1');
        if (!/^HTTP\/1\.1 101/.test(head)) {
          clearTimeout(timer);
          reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
          return;
        }
        open = true;
        buffered = buffered.subarray(end + 4);
        for (const m of messages) socket.write(encodeFrame(1, Buffer.from(m), true));
      }
      const { frames, rest } = decodeFrames(buffered);
      buffered = rest;
      for (const f of frames) {
        if (f.opcode === 1) {
          received.push(f.payload.toString());
          if (received.length === messages.length) socket.write(encodeFrame(8, Buffer.from([0x03, 0xe8]), true));
        } else if (f.opcode === 8) {
          clearTimeout(timer);
          socket.end();
          resolve(received);
        }
      }
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  });
}

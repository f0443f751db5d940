import { posix } from 'node:path';
import { ERRNO, FsError, S_IFDIR, S_IFREG, type FsNode } from '../../os/filesystem.js';
import type { VirtualPhoneOs } from '../../os/phone-os.js';
import { ByteReader } from '../byte-reader.js';
import type { ServiceHandler } from '../connection.js';
import type { AdbStream } from '../stream.js';

/**
 * The `sync:` service (adb/file_sync_protocol.h): 8-byte requests (4-char id + LE length)
 * for STAT/STA2/LST2, LIST/LIS2, SEND (then DATA... DONE), RECV and QUIT.
 */

/** SYNC_DATA_MAX: the largest DATA chunk either side sends. */
export const SYNC_DATA_MAX = 64 * 1024;
const MAX_PATH = 1024;

function id(name: string, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.write(name, 0, 'latin1');
  b.writeUInt32LE(value >>> 0, 4);
  return b;
}

function fail(message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  return Buffer.concat([id('FAIL', text.length), text]);
}

function modeOf(node: FsNode): number {
  return (node.type === 'dir' ? S_IFDIR : S_IFREG) | (node.mode & 0o7777);
}

function sizeOf(node: FsNode): number {
  return node.type === 'file' ? node.data.length : 4096;
}

/** STAT (v1): mode, size, mtime as u32; all zero when the path does not exist. */
function statV1(node: FsNode | undefined): Buffer {
  const b = Buffer.alloc(16);
  b.write('STAT', 0, 'latin1');
  if (node) {
    b.writeUInt32LE(modeOf(node), 4);
    b.writeUInt32LE(Math.min(sizeOf(node), 0xffffffff), 8);
    b.writeUInt32LE(Math.floor(node.mtime / 1000), 12);
  }
  return b;
}

/** sync_stat_v2 body: error, dev, ino, mode, nlink, uid, gid, size, atime, mtime, ctime (68 bytes). */
function statV2Body(node: FsNode | undefined, errno: number, ino: number): Buffer {
  const b = Buffer.alloc(68);
  b.writeUInt32LE(node ? 0 : errno, 0);
  if (node) {
    const secs = BigInt(Math.floor(node.mtime / 1000));
    b.writeBigUInt64LE(0xfd00n, 4);
    b.writeBigUInt64LE(BigInt(ino), 12);
    b.writeUInt32LE(modeOf(node), 20);
    b.writeUInt32LE(node.type === 'dir' ? 2 : 1, 24);
    b.writeUInt32LE(2000, 28);
    b.writeUInt32LE(node.type === 'dir' ? 2000 : 1015, 32);
    b.writeBigUInt64LE(BigInt(sizeOf(node)), 36);
    b.writeBigInt64LE(secs, 44);
    b.writeBigInt64LE(secs, 52);
    b.writeBigInt64LE(secs, 60);
  }
  return b;
}

function inode(path: string): number {
  let h = 2166136261;
  for (const ch of path) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

export function syncService(os: VirtualPhoneOs): ServiceHandler {
  return async (stream) => {
    os.recordCommand('sync', 'sync:');
    const reader = new ByteReader(stream);
    const send = (data: Buffer) => new Promise<void>((resolve) => stream.write(data, () => resolve()));
    for (;;) {
      const header = await reader.read(8);
      if (!header) break;
      const command = header.toString('latin1', 0, 4);
      const length = header.readUInt32LE(4);
      if (command === 'QUIT') break;
      if (length > MAX_PATH) {
        await send(fail(`path too long: ${length}`));
        break;
      }
      const pathBuf = await reader.read(length);
      if (!pathBuf) break;
      const path = pathBuf.toString('utf8');
      switch (command) {
        case 'STAT':
          await send(statV1(os.fs.stat(path)));
          break;
        case 'STA2':
        case 'LST2':
          await send(Buffer.concat([Buffer.from(command, 'latin1'), statV2Body(os.fs.stat(path), ERRNO.ENOENT, inode(path))]));
          break;
        case 'LIST':
        case 'LIS2':
          await send(listDirectory(os, path, command === 'LIS2'));
          break;
        case 'SEND':
          if (!(await receiveFile(os, reader, stream, path, send))) return;
          break;
        case 'RECV':
          await sendFile(os, path, send);
          break;
        default:
          await send(fail(`unknown command ${JSON.stringify(command)}`));
          stream.end();
          return;
      }
    }
    stream.end();
  };
}

function listDirectory(os: VirtualPhoneOs, path: string, v2: boolean): Buffer {
  const parts: Buffer[] = [];
  const node = os.fs.stat(path);
  const names = node?.type === 'dir' ? ['.', '..', ...os.fs.list(path)] : [];
  for (const name of names) {
    const full = name === '.' ? path : name === '..' ? posix.dirname(path) : posix.join(path, name);
    const child = os.fs.stat(full) ?? node;
    const nameBuf = Buffer.from(name, 'utf8');
    if (v2) {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(nameBuf.length, 0);
      parts.push(Buffer.from('DNT2', 'latin1'), statV2Body(child, 0, inode(full)), len, nameBuf);
    } else {
      const b = Buffer.alloc(20);
      b.write('DENT', 0, 'latin1');
      b.writeUInt32LE(child ? modeOf(child) : 0, 4);
      b.writeUInt32LE(child ? Math.min(sizeOf(child), 0xffffffff) : 0, 8);
      b.writeUInt32LE(child ? Math.floor(child.mtime / 1000) : 0, 12);
      b.writeUInt32LE(nameBuf.length, 16);
      parts.push(b, nameBuf);
    }
  }
  // The end marker has the size of an entry header, all zero after "DONE".
  const done = Buffer.alloc(v2 ? 4 + 68 + 4 : 20);
  done.write('DONE', 0, 'latin1');
  parts.push(done);
  return Buffer.concat(parts);
}

/** SEND "path,mode": DATA chunks until DONE(mtime), then OKAY or FAIL. Returns false if the stream ended. */
async function receiveFile(os: VirtualPhoneOs, reader: ByteReader, stream: AdbStream, spec: string, send: (b: Buffer) => Promise<void>): Promise<boolean> {
  const comma = spec.lastIndexOf(',');
  const path = comma === -1 ? spec : spec.slice(0, comma);
  const mode = comma === -1 ? 0o644 : Number.parseInt(spec.slice(comma + 1), 10) & 0o7777;
  const chunks: Buffer[] = [];
  let mtime = 0;
  let protocolError: string | undefined;
  for (;;) {
    const header = await reader.read(8);
    if (!header) return false;
    const kind = header.toString('latin1', 0, 4);
    const value = header.readUInt32LE(4);
    if (kind === 'DONE') {
      mtime = value;
      break;
    }
    if (kind !== 'DATA' || value > SYNC_DATA_MAX) {
      protocolError = `invalid data message: expected DATA, got ${kind}`;
      break;
    }
    const data = await reader.read(value);
    if (!data) return false;
    chunks.push(data);
  }
  if (protocolError) {
    await send(fail(protocolError));
    stream.end();
    return false;
  }
  try {
    os.fs.writeFile(path, Buffer.concat(chunks), { mode: mode || 0o644, mtime: mtime ? mtime * 1000 : undefined });
    os.recordCommand('sync', `SEND ${path}`);
    await send(id('OKAY', 0));
  } catch (err) {
    // adbd's messages: "couldn't create file: Read-only file system" and the like.
    await send(fail(err instanceof FsError ? `couldn't create file: ${err.reason}` : String(err)));
  }
  return true;
}

async function sendFile(os: VirtualPhoneOs, path: string, send: (b: Buffer) => Promise<void>): Promise<void> {
  let data: Buffer;
  try {
    data = os.fs.readFile(path);
  } catch (err) {
    await send(fail(err instanceof FsError ? err.reason : String(err)));
    return;
  }
  os.recordCommand('sync', `RECV ${path}`);
  // DATA packets are batched into large writes: one ADB WRTE round trip per ~1 MiB, not per 64 KiB.
  let batch: Buffer[] = [];
  let batchSize = 0;
  for (let offset = 0; offset < data.length; offset += SYNC_DATA_MAX) {
    const chunk = data.subarray(offset, offset + SYNC_DATA_MAX);
    batch.push(id('DATA', chunk.length), chunk);
    batchSize += chunk.length + 8;
    if (batchSize >= 16 * SYNC_DATA_MAX) {
      await send(Buffer.concat(batch));
      batch = [];
      batchSize = 0;
    }
  }
  batch.push(id('DONE', 0));
  await send(Buffer.concat(batch));
}

import { posix } from 'node:path';

/**
 * The device's files, in memory: /sdcard, /data/local/tmp, installed APKs under /data/app, CA
 * stores, and the handful of /proc and /sys files apps and tools read. Enough for adb
 * push/pull/ls and the shell's file commands; not a full VFS (no links, no owners).
 */

export interface FileNode {
  type: 'file';
  data: Buffer;
  mode: number;
  mtime: number;
}

export interface DirNode {
  type: 'dir';
  mode: number;
  mtime: number;
}

export type FsNode = FileNode | DirNode;

export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;

/** errno-style failure, so services can answer with Android's messages (ENOENT, EISDIR...). */
export class FsError extends Error {
  constructor(
    readonly errno: 'ENOENT' | 'EEXIST' | 'EISDIR' | 'ENOTDIR' | 'EACCES' | 'EROFS' | 'ENOTEMPTY',
    readonly path: string,
  ) {
    super(`${path}: ${FS_MESSAGES[errno]}`);
  }

  /** The strerror() text Android's toybox prints. */
  get reason(): string {
    return FS_MESSAGES[this.errno];
  }
}

const FS_MESSAGES: Record<FsError['errno'], string> = {
  ENOENT: 'No such file or directory',
  EEXIST: 'File exists',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EROFS: 'Read-only file system',
  ENOTEMPTY: 'Directory not empty',
};

/** Linux errno numbers, for the sync protocol's STA2/LST2 error field. */
export const ERRNO: Record<FsError['errno'], number> = {
  ENOENT: 2,
  EACCES: 13,
  EEXIST: 17,
  ENOTDIR: 20,
  EISDIR: 21,
  EROFS: 30,
  ENOTEMPTY: 39,
};

const READ_ONLY_PREFIXES = ['/proc', '/sys', '/system/bin', '/vendor'];

/** /sdcard and /storage/self/primary are links to /storage/emulated/0 on a real device. */
const ALIASES: [string, string][] = [
  ['/sdcard', '/storage/emulated/0'],
  ['/storage/self/primary', '/storage/emulated/0'],
  ['/mnt/sdcard', '/storage/emulated/0'],
];

export function normalizeDevicePath(path: string, cwd = '/'): string {
  let p = posix.normalize(posix.isAbsolute(path) ? path : posix.join(cwd, path));
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  for (const [alias, target] of ALIASES) {
    if (p === alias || p.startsWith(`${alias}/`)) return target + p.slice(alias.length);
  }
  return p;
}

export class VirtualFs {
  private readonly nodes = new Map<string, FsNode>();

  constructor(private readonly clock: () => number) {
    this.nodes.set('/', { type: 'dir', mode: 0o755, mtime: clock() });
  }

  stat(path: string): FsNode | undefined {
    return this.nodes.get(normalizeDevicePath(path));
  }

  exists(path: string): boolean {
    return this.stat(path) !== undefined;
  }

  isDir(path: string): boolean {
    return this.stat(path)?.type === 'dir';
  }

  readFile(path: string): Buffer {
    const p = normalizeDevicePath(path);
    const node = this.nodes.get(p);
    if (!node) throw new FsError('ENOENT', p);
    if (node.type === 'dir') throw new FsError('EISDIR', p);
    return node.data;
  }

  /** Creates or replaces a file; parent directories are created, as adb push does. */
  writeFile(path: string, data: Buffer, options: { mode?: number; mtime?: number; system?: boolean } = {}): void {
    const p = normalizeDevicePath(path);
    if (!options.system) this.assertWritable(p);
    const existing = this.nodes.get(p);
    if (existing?.type === 'dir') throw new FsError('EISDIR', p);
    this.mkdirp(posix.dirname(p), { system: true });
    this.nodes.set(p, { type: 'file', data, mode: options.mode ?? existing?.mode ?? 0o644, mtime: options.mtime ?? this.clock() });
  }

  appendFile(path: string, data: Buffer): void {
    const p = normalizeDevicePath(path);
    const node = this.nodes.get(p);
    if (node?.type === 'file') {
      this.assertWritable(p);
      node.data = Buffer.concat([node.data, data]);
      node.mtime = this.clock();
    } else this.writeFile(p, data);
  }

  mkdir(path: string, options: { parents?: boolean } = {}): void {
    const p = normalizeDevicePath(path);
    this.assertWritable(p);
    if (options.parents) {
      this.mkdirp(p);
      return;
    }
    if (this.nodes.has(p)) throw new FsError('EEXIST', p);
    const parent = this.nodes.get(posix.dirname(p));
    if (!parent) throw new FsError('ENOENT', p);
    if (parent.type !== 'dir') throw new FsError('ENOTDIR', p);
    this.nodes.set(p, { type: 'dir', mode: 0o771, mtime: this.clock() });
  }

  mkdirp(path: string, options: { system?: boolean } = {}): void {
    const p = normalizeDevicePath(path);
    const parts = p.split('/').filter(Boolean);
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      const node = this.nodes.get(current);
      if (node?.type === 'file') throw new FsError('ENOTDIR', current);
      if (!node) {
        if (!options.system) this.assertWritable(current);
        this.nodes.set(current, { type: 'dir', mode: 0o771, mtime: this.clock() });
      }
    }
  }

  /** Names directly inside a directory, sorted. */
  list(path: string): string[] {
    const p = normalizeDevicePath(path);
    const node = this.nodes.get(p);
    if (!node) throw new FsError('ENOENT', p);
    if (node.type !== 'dir') throw new FsError('ENOTDIR', p);
    const prefix = p === '/' ? '/' : `${p}/`;
    const names: string[] = [];
    for (const key of this.nodes.keys()) {
      if (key !== p && key.startsWith(prefix) && !key.slice(prefix.length).includes('/')) names.push(key.slice(prefix.length));
    }
    return names.sort();
  }

  remove(path: string, options: { recursive?: boolean } = {}): void {
    const p = normalizeDevicePath(path);
    const node = this.nodes.get(p);
    if (!node) throw new FsError('ENOENT', p);
    this.assertWritable(p);
    if (node.type === 'dir') {
      const children = this.list(p);
      if (children.length && !options.recursive) throw new FsError(options.recursive === undefined ? 'EISDIR' : 'ENOTEMPTY', p);
      for (const key of [...this.nodes.keys()]) if (key.startsWith(`${p}/`)) this.nodes.delete(key);
    }
    this.nodes.delete(p);
  }

  /** Total size of the files at or under a path (what `df` counts as used on a mount). */
  bytesUnder(path: string): number {
    const p = normalizeDevicePath(path);
    const prefix = p === '/' ? '/' : `${p}/`;
    let total = 0;
    for (const [key, node] of this.nodes) {
      if (node.type === 'file' && (key === p || key.startsWith(prefix))) total += node.data.length;
    }
    return total;
  }

  chmod(path: string, mode: number): void {
    const p = normalizeDevicePath(path);
    const node = this.nodes.get(p);
    if (!node) throw new FsError('ENOENT', p);
    node.mode = mode;
  }

  touch(path: string, mtime = this.clock()): void {
    const node = this.stat(path);
    if (node) node.mtime = mtime;
    else this.writeFile(path, Buffer.alloc(0), { mtime });
  }

  private assertWritable(p: string): void {
    if (READ_ONLY_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`))) throw new FsError('EROFS', p);
  }
}

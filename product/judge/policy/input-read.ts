import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { DEFAULT_POLICY_MAX_BYTES } from '../../core/config.js';
import { InputError } from '../../core/errors.js';

export interface ReadLimits {
  /** Config `policy.maxBytes`: larger files are refused before a byte is read. */
  maxBytes?: number;
}

/**
 * The bytes of a policy file, which may come from anywhere. Only regular files are read (a FIFO
 * would block, /dev/zero never ends, a directory is no document); the size is checked before
 * reading, and the read itself stops one byte past the cap, so a file that grows after the check
 * (a log being written, a swapped path) still cannot make us hold more than the cap.
 */
export function readPolicyBytes(file: string, limits: ReadLimits = {}): Buffer {
  const maxBytes = limits.maxBytes ?? DEFAULT_POLICY_MAX_BYTES;
  // stat (not lstat): a symlink to a regular file is fine, a symlink to a device is judged as one.
  requireRegular(file, statOrThrow(file));
  let fd: number;
  try {
    // O_NONBLOCK: if the path became a FIFO since the stat, open must not wait for a writer.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    throw unreadable(file, cause);
  }
  try {
    const stats = fstatSync(fd);
    requireRegular(file, stats);
    requireWithinCap(file, stats.size, maxBytes);
    const buffer = Buffer.allocUnsafe(Math.min(stats.size, maxBytes) + 1);
    let length = 0;
    for (;;) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
      if (length > maxBytes) requireWithinCap(file, length, maxBytes, ' (it grew while being read)');
      if (length === buffer.length) break;
    }
    return buffer.subarray(0, length);
  } catch (cause) {
    if (cause instanceof InputError) throw cause;
    throw unreadable(file, cause);
  } finally {
    closeSync(fd);
  }
}

function statOrThrow(file: string): Stats {
  try {
    return statSync(file);
  } catch (cause) {
    throw unreadable(file, cause);
  }
}

function unreadable(file: string, cause: unknown): InputError {
  const code = (cause as NodeJS.ErrnoException).code;
  const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (cause as Error).message;
  return new InputError('POLICY_UNREADABLE', `cannot read the policy: ${why}`, { file, cause });
}

function requireRegular(file: string, stats: Stats): void {
  if (stats.isFile()) return;
  throw new InputError('POLICY_NOT_FILE', `expected a regular file (a saved page, text, YAML, JSON or CSV), got ${kindOf(stats)}`, { file });
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'something that is not a file';
}

function requireWithinCap(file: string, size: number, maxBytes: number, note = ''): void {
  if (size <= maxBytes) return;
  const shown = size === maxBytes + 1 ? `more than ${formatBytes(maxBytes)}` : formatBytes(size);
  throw new InputError(
    'POLICY_TOO_LARGE',
    `the policy is ${shown}${note}, over the limit of ${formatBytes(maxBytes)} (${maxBytes} bytes) set by policy.maxBytes in the config`,
    { file, field: 'size' },
  );
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

import { posix } from 'node:path';
import { FsError, normalizeDevicePath, type FsNode } from '../../os/filesystem.js';
import { timeParts } from '../../os/logcat.js';
import type { CommandContext, ShellCommand } from '../command-context.js';

/** toybox file commands on the device's in-memory files: cat, ls, mkdir, rm, chmod, touch, stat. */

function flagsAndPaths(args: string[]): { flags: Set<string>; paths: string[] } {
  const flags = new Set<string>();
  const paths: string[] = [];
  let endOfFlags = false;
  for (const a of args) {
    if (!endOfFlags && a === '--') endOfFlags = true;
    else if (!endOfFlags && /^-[A-Za-z]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else paths.push(a);
  }
  return { flags, paths };
}

const resolve = (ctx: CommandContext, p: string) => normalizeDevicePath(p, ctx.session.cwd);

async function fail(ctx: CommandContext, cmd: string, path: string, err: unknown): Promise<number> {
  if (!(err instanceof FsError)) throw err;
  await ctx.err(`${cmd}: ${path}: ${err.reason}\n`);
  return 1;
}

export const cat: ShellCommand = async (ctx) => {
  const { paths } = flagsAndPaths(ctx.args);
  if (paths.length === 0 || (paths.length === 1 && paths[0] === '-')) {
    // cat with no file copies stdin to stdout as it arrives (streamed, not buffered).
    for await (const chunk of ctx.streams.stdin) {
      if (ctx.signal.aborted) break;
      await ctx.out(chunk as Buffer);
    }
    return 0;
  }
  let status = 0;
  for (const p of paths) {
    try {
      await ctx.out(ctx.os.fs.readFile(resolve(ctx, p)));
    } catch (err) {
      status = await fail(ctx, 'cat', p, err);
    }
  }
  return status;
};

function modeString(node: FsNode): string {
  const bits = 'rwxrwxrwx';
  let s = node.type === 'dir' ? 'd' : '-';
  for (let i = 0; i < 9; i += 1) s += node.mode & (1 << (8 - i)) ? bits[i] : '-';
  return s;
}

function longLine(ctx: CommandContext, name: string, node: FsNode, absPath: string): string {
  const t = timeParts(node.mtime, ctx.os.getProp('persist.sys.timezone') ?? 'UTC');
  const size = node.type === 'file' ? node.data.length : 4096;
  const group = absPath.startsWith('/storage') ? 'sdcard_rw' : 'shell';
  return `${modeString(node)} ${node.type === 'dir' ? 2 : 1} shell ${group} ${size} ${t.year}-${t.month}-${t.day} ${t.hour}:${t.minute} ${name}\n`;
}

export const ls: ShellCommand = async (ctx) => {
  const { flags, paths } = flagsAndPaths(ctx.args);
  const targets = paths.length ? paths : ['.'];
  const long = flags.has('l');
  let status = 0;
  for (const p of targets) {
    const abs = resolve(ctx, p);
    const node = ctx.os.fs.stat(abs);
    if (!node) {
      await ctx.err(`ls: ${p}: No such file or directory\n`);
      status = 1;
      continue;
    }
    if (node.type === 'file' || flags.has('d')) {
      await ctx.out(long ? longLine(ctx, p, node, abs) : `${p}\n`);
      continue;
    }
    if (targets.length > 1) await ctx.out(`${p}:\n`);
    const names = ctx.os.fs.list(abs).filter((n) => flags.has('a') || !n.startsWith('.'));
    if (long) {
      let out = `total ${names.length * 8}\n`;
      for (const n of names) out += longLine(ctx, n, ctx.os.fs.stat(posix.join(abs, n))!, posix.join(abs, n));
      await ctx.out(out);
    } else await ctx.out(names.map((n) => `${n}\n`).join(''));
  }
  return status;
};

export const mkdir: ShellCommand = async (ctx) => {
  const { flags, paths } = flagsAndPaths(ctx.args.filter((a, i, all) => a !== '-m' && all[i - 1] !== '-m'));
  if (paths.length === 0) {
    await ctx.err('mkdir: Needs 1 argument\n');
    return 1;
  }
  let status = 0;
  for (const p of paths) {
    try {
      ctx.os.fs.mkdir(resolve(ctx, p), { parents: flags.has('p') });
    } catch (err) {
      status = await fail(ctx, 'mkdir', p, err);
    }
  }
  return status;
};

export const rm: ShellCommand = async (ctx) => {
  const { flags, paths } = flagsAndPaths(ctx.args);
  const force = flags.has('f');
  const recursive = flags.has('r') || flags.has('R');
  let status = 0;
  for (const p of paths) {
    const abs = resolve(ctx, p);
    if (!ctx.os.fs.exists(abs)) {
      if (!force) status = await fail(ctx, 'rm', p, new FsError('ENOENT', abs));
      continue;
    }
    if (ctx.os.fs.isDir(abs) && !recursive) {
      await ctx.err(`rm: ${p}: Is a directory\n`);
      status = 1;
      continue;
    }
    try {
      ctx.os.fs.remove(abs, { recursive });
    } catch (err) {
      status = await fail(ctx, 'rm', p, err);
    }
  }
  return status;
};

export const chmod: ShellCommand = async (ctx) => {
  const { paths } = flagsAndPaths(ctx.args);
  const [mode, ...files] = paths;
  if (!mode || files.length === 0) {
    await ctx.err('chmod: Needs 2 arguments\n');
    return 1;
  }
  let status = 0;
  for (const p of files) {
    try {
      const abs = resolve(ctx, p);
      const node = ctx.os.fs.stat(abs);
      if (!node) throw new FsError('ENOENT', abs);
      // Octal modes are applied; symbolic ones (+x, u+rw) are accepted and kept as they were.
      ctx.os.fs.chmod(abs, /^[0-7]{3,4}$/.test(mode) ? parseInt(mode, 8) & 0o7777 : node.mode);
    } catch (err) {
      status = await fail(ctx, 'chmod', p, err);
    }
  }
  return status;
};

export const touch: ShellCommand = async (ctx) => {
  const { paths } = flagsAndPaths(ctx.args);
  let status = 0;
  for (const p of paths) {
    try {
      ctx.os.fs.touch(resolve(ctx, p));
    } catch (err) {
      status = await fail(ctx, 'touch', p, err);
    }
  }
  return status;
};

/** `stat -c FORMAT` (%s size, %n name, %F type, %a mode, %Y mtime) and a default block. */
export const stat: ShellCommand = async (ctx) => {
  const c = ctx.args.indexOf('-c');
  const format = c === -1 ? undefined : ctx.args[c + 1];
  const paths = ctx.args.filter((a, i) => !a.startsWith('-') && i !== c + 1);
  let status = 0;
  for (const p of paths) {
    const node = ctx.os.fs.stat(resolve(ctx, p));
    if (!node) {
      await ctx.err(`stat: '${p}': No such file or directory\n`);
      status = 1;
      continue;
    }
    const size = node.type === 'file' ? node.data.length : 4096;
    const type = node.type === 'dir' ? 'directory' : size === 0 ? 'regular empty file' : 'regular file';
    if (format) {
      await ctx.out(
        `${format.replace(/%([snFaY])/g, (_m, f: string) => ({ s: String(size), n: p, F: type, a: node.mode.toString(8), Y: String(Math.floor(node.mtime / 1000)) })[f] ?? '')}\n`,
      );
    } else await ctx.out(`  File: ${p}\n  Size: ${size}\t Blocks: ${Math.ceil(size / 512)}\t IO Blocks: 512\t${type}\n`);
  }
  return status;
};

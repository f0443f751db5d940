import { randomInt } from 'node:crypto';
import { PackageManagerFailure } from '../../os/android-errors.js';
import { FsError, normalizeDevicePath } from '../../os/filesystem.js';
import type { ApkInput, InstallOptions } from '../../os/packages.js';
import type { VirtualPhoneOs } from '../../os/phone-os.js';
import type { CommandContext } from '../command-context.js';

/**
 * `pm install` (from a device path or streamed from stdin with -S) and the session commands
 * `adb install-multiple` drives: install-create, install-write, install-commit, install-abandon.
 */

interface InstallSession {
  options: InstallOptions;
  apks: ApkInput[];
}

/** Install sessions live as long as the device (a session id is valid across adb streams). */
const sessions = new WeakMap<VirtualPhoneOs, Map<number, InstallSession>>();

function sessionsOf(os: VirtualPhoneOs): Map<number, InstallSession> {
  let map = sessions.get(os);
  if (!map) {
    map = new Map();
    sessions.set(os, map);
  }
  return map;
}

/** Parses pm install flags; returns the options, -S size and the remaining arguments. */
function parseInstallArgs(args: string[]): { options: InstallOptions; size: number | undefined; rest: string[] } {
  const options: InstallOptions = {};
  let size: number | undefined;
  const rest: string[] = [];
  // Flags that take a value (pm's PackageManagerShellCommand.makeInstallParams).
  const withValue = new Set(['-i', '--user', '--abi', '--install-location', '--force-uuid', '--originating-uri', '--referrer', '-p', '--pkg', '--install-reason', '--staged-ready-timeout', '--update-ownership']);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '-S') size = Number(args[++i]);
    else if (a === '-d') options.allowDowngrade = true;
    else if (a === '-g') options.grantAll = true;
    else if (a === '-i') options.installer = args[++i];
    else if (withValue.has(a)) i += 1;
    else if (a.startsWith('-')) continue;
    else rest.push(a);
  }
  return { options, size, rest };
}

async function readExactly(ctx: CommandContext, size: number): Promise<Buffer> {
  const data = await ctx.readStdin(size);
  if (data.length < size) throw new PackageManagerFailure('INSTALL_FAILED_INVALID_APK', `Expected ${size} bytes, got ${data.length}`);
  return data.subarray(0, size);
}

async function finish(ctx: CommandContext, run: () => Promise<unknown>): Promise<number> {
  try {
    await run();
    await ctx.out('Success\n');
    return 0;
  } catch (err) {
    if (err instanceof PackageManagerFailure) {
      // pm prints failures on stdout: `adb install` reads them from there.
      await ctx.out(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export async function pmInstall(ctx: CommandContext, args: string[]): Promise<number> {
  const { options, size, rest } = parseInstallArgs(args);
  if (size !== undefined && (rest.length === 0 || rest[0] === '-')) {
    return finish(ctx, async () => ctx.os.install([{ name: 'base', bytes: await readExactly(ctx, size) }], options));
  }
  if (rest.length === 0) {
    await ctx.err('Error: must either specify a package size or an APK file\n');
    return 1;
  }
  const apks: ApkInput[] = [];
  for (const p of rest) {
    try {
      apks.push({ name: p, bytes: ctx.os.fs.readFile(normalizeDevicePath(p, ctx.session.cwd)) });
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      await ctx.err(`Error: Can't open file: ${p}\nException occurred while executing 'install':\njava.lang.IllegalArgumentException: Error: Can't open file: ${p}\n`);
      return 255;
    }
  }
  return finish(ctx, () => ctx.os.install(apks, options));
}

export async function pmInstallCreate(ctx: CommandContext, args: string[]): Promise<number> {
  const { options } = parseInstallArgs(args);
  const all = sessionsOf(ctx.os);
  let id = randomInt(100_000_000, 2_000_000_000);
  while (all.has(id)) id += 1;
  all.set(id, { options, apks: [] });
  await ctx.out(`Success: created install session [${id}]\n`);
  return 0;
}

async function badSession(ctx: CommandContext, verb: string, raw: string | undefined): Promise<number> {
  await ctx.err(`Exception occurred while executing '${verb}':\njava.lang.SecurityException: Caller has no access to session ${raw ?? ''}\n`);
  return 255;
}

/** install-write [-S size] SESSION NAME [PATH|-] */
export async function pmInstallWrite(ctx: CommandContext, args: string[]): Promise<number> {
  const { size, rest } = parseInstallArgs(args);
  const [rawId, name, path] = rest;
  const session = sessionsOf(ctx.os).get(Number(rawId));
  if (!session || !name) return badSession(ctx, 'install-write', rawId);
  let bytes: Buffer;
  if (path && path !== '-') {
    try {
      bytes = ctx.os.fs.readFile(normalizeDevicePath(path, ctx.session.cwd));
    } catch {
      await ctx.err(`Error: Can't open file: ${path}\n`);
      return 1;
    }
  } else bytes = size === undefined ? await ctx.readStdin() : await readExactly(ctx, size);
  session.apks = session.apks.filter((a) => a.name !== name).concat({ name, bytes });
  await ctx.out(`Success: streamed ${bytes.length} bytes\n`);
  return 0;
}

export async function pmInstallCommit(ctx: CommandContext, args: string[]): Promise<number> {
  const rawId = args.find((a) => !a.startsWith('-'));
  const all = sessionsOf(ctx.os);
  const session = all.get(Number(rawId));
  if (!session) return badSession(ctx, 'install-commit', rawId);
  all.delete(Number(rawId));
  return finish(ctx, () => ctx.os.install(session.apks, session.options));
}

export async function pmInstallAbandon(ctx: CommandContext, args: string[]): Promise<number> {
  const rawId = args.find((a) => !a.startsWith('-'));
  if (!sessionsOf(ctx.os).delete(Number(rawId))) return badSession(ctx, 'install-abandon', rawId);
  await ctx.out('Success\n');
  return 0;
}

import { AndroidException, PackageManagerFailure } from '../../os/android-errors.js';
import type { CommandContext } from '../command-context.js';

/**
 * Prints a framework exception the way `cmd <service>` does (ShellCommand.exec) and returns
 * its exit status, 255. Other errors propagate.
 */
export async function reportAndroidError(ctx: CommandContext, verb: string, err: unknown): Promise<number> {
  if (err instanceof AndroidException) {
    await ctx.err(`Exception occurred while executing '${verb}':\n${err.javaClass}: ${err.message}\n`);
    return 255;
  }
  if (err instanceof PackageManagerFailure) {
    await ctx.out(`${err.message}\n`);
    return 1;
  }
  throw err;
}

/** "com.example/.MainActivity" when the class is inside the package, as Android shortens it. */
export function shortComponent(packageName: string, className: string): string {
  return className.startsWith(`${packageName}.`) ? `${packageName}/${className.slice(packageName.length)}` : `${packageName}/${className}`;
}

/** Pulls `--user N` / `--user current` out of an argument list (every user is user 0 here). */
export function dropUserArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    if (args[i] === '--user') i += 1;
    else out.push(args[i]!);
  }
  return out;
}

/** A stable-looking hex object id, as Android prints in Record{...} dumps. */
export function objectId(seed: string): string {
  let h = 0x811c9dc5;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0').slice(0, 7);
}

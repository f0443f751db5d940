import type { ShellCommand } from '../command-context.js';
import { dropUserArgs, reportAndroidError } from './util.js';

const MODES = new Set(['allow', 'ignore', 'deny', 'default', 'foreground']);

/** `appops set PKG OP MODE`, `appops get PKG [OP]`, `appops reset PKG` (AppOpsService.Shell). */
export const appops: ShellCommand = async (ctx) => {
  const [verb, pkg, op, mode] = dropUserArgs(ctx.args).filter((a) => !a.startsWith('--uid'));
  try {
    switch (verb) {
      case 'set':
        if (!pkg || !op || !mode || !MODES.has(mode)) {
          await ctx.err(`Error: Mode ${mode ?? ''} is not valid\n`);
          return 255;
        }
        ctx.os.setAppOp(pkg, op.replace(/^android:/, '').toUpperCase(), mode === 'default' ? undefined : mode);
        return 0;
      case 'get': {
        if (!pkg) break;
        if (!ctx.os.getPackage(pkg)) {
          await ctx.err(`Error: Unknown package: ${pkg}\n`);
          return 255;
        }
        const ops = [...ctx.os.appOpsOf(pkg)].filter(([name]) => !op || name === op.replace(/^android:/, '').toUpperCase());
        await ctx.out(ops.length ? ops.map(([name, m]) => `${name}: ${m}\n`).join('') : 'No operations.\n');
        return 0;
      }
      case 'reset':
        if (pkg && ctx.os.getPackage(pkg)) for (const name of ctx.os.appOpsOf(pkg).keys()) ctx.os.setAppOp(pkg, name, undefined);
        return 0;
      case 'query-op':
        return 0;
      default:
        break;
    }
  } catch (err) {
    return reportAndroidError(ctx, verb ?? '', err);
  }
  await ctx.out('AppOps service (appops) commands:\n  help\n  start [--user <USER_ID>] <PACKAGE | UID> <OP>\n  set [--user <USER_ID>] <PACKAGE | UID> <OP> <MODE>\n  get [--user <USER_ID>] <PACKAGE | UID> [<OP>]\n  reset [--user <USER_ID>] [<PACKAGE>]\n');
  return verb === 'help' || verb === undefined ? 0 : 255;
};

import type { ShellCommand } from '../command-context.js';

/**
 * `monkey -p PKG [-c CATEGORY] [-v] COUNT`: labs use it to launch an app by package name. Each
 * event here is a launch of the package's launcher activity; the output matches Monkey's.
 */
export const monkey: ShellCommand = async (ctx) => {
  const packages: string[] = [];
  let count = 0;
  let verbose = 0;
  for (let i = 0; i < ctx.args.length; i += 1) {
    const a = ctx.args[i]!;
    if (a === '-p') packages.push(ctx.args[++i] ?? '');
    else if (['-c', '-s', '--throttle', '--pct-touch', '--pct-motion', '--pct-syskeys', '--pct-appswitch'].includes(a)) i += 1;
    else if (/^-v+$/.test(a)) verbose += a.length - 1;
    else if (/^\d+$/.test(a)) count = Number(a);
  }
  const pkg = packages.map((p) => ctx.os.getPackage(p)).find((p) => p?.launchActivity);
  if (verbose) await ctx.out(`  bash arg: ${ctx.args.join('\n  bash arg: ')}\n:Monkey: seed=${Date.now()} count=${count}\n`);
  if (!pkg) {
    await ctx.err('** No activities found to run, monkey aborted.\n');
    return 252;
  }
  const started = ctx.os.now();
  if (count > 0) await ctx.os.launch(pkg.packageName);
  await ctx.out(`Events injected: ${count}\n## Network stats: elapsed time=${Math.max(1, ctx.os.now() - started)}ms (0ms mobile, 0ms wifi, ${Math.max(1, ctx.os.now() - started)}ms not connected)\n`);
  return 0;
};

import { parseComponent } from '../../os/instrumentation.js';
import type { CommandContext, ShellCommand } from '../command-context.js';
import { amInstrument } from './am-instrument.js';
import { describeIntent, parseIntentArgs } from './intent-args.js';
import { dropUserArgs, reportAndroidError, shortComponent } from './util.js';
import { AndroidException } from '../../os/android-errors.js';

const HELP = `Activity manager (activity) commands:
  help
  start [-D] [-N] [-W] [-P <FILE>] [--start-profiler <FILE>] [-S] [--user <USER_ID> | current] <INTENT>
  start-activity <INTENT>
  startservice [--user <USER_ID> | current] <INTENT>
  broadcast [--user <USER_ID> | all | current] <INTENT>
  instrument [-r] [-e <NAME> <VALUE>] [-w] [--user <USER_ID> | current] <COMPONENT>
  force-stop [--user <USER_ID> | all | current] <PACKAGE>
  kill [--user <USER_ID> | all | current] <PACKAGE>
  kill-all
  get-current-user
`;

async function amStart(ctx: CommandContext, args: string[]): Promise<number> {
  const intent = parseIntentArgs(args);
  const componentArg = intent.component ?? (intent.target && !intent.target.includes(':') ? intent.target : undefined);
  const parsed = componentArg ? parseComponent(componentArg) : undefined;
  if (!parsed) {
    await ctx.out(`Starting: ${describeIntent(intent)}\n`);
    await ctx.err(`Error: Activity not started, unable to resolve ${describeIntent(intent)}\n`);
    return 1;
  }
  const short = shortComponent(parsed.packageName, parsed.className);
  await ctx.out(`Starting: ${describeIntent(intent, short)}\n`);
  if (!ctx.os.getPackage(parsed.packageName)) {
    await ctx.err(`Error type 3\nError: Activity class {${parsed.packageName}/${parsed.className}} does not exist.\n`);
    return 1;
  }
  if (intent.forceStop) ctx.os.forceStop(parsed.packageName);
  const started = ctx.os.now();
  let result;
  try {
    result = await ctx.os.launch(parsed.packageName, { activity: parsed.className, waitForDebugger: intent.debug });
  } catch (err) {
    if (err instanceof AndroidException && err.javaClass === 'android.content.ActivityNotFoundException') {
      await ctx.err(`Error type 3\nError: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  if (!result.cold && !intent.forceStop) {
    await ctx.out('Warning: Activity not started, intent has been delivered to currently running top-most instance.\n');
  }
  if (intent.wait) {
    const total = Math.max(1, ctx.os.now() - started);
    await ctx.out(`Status: ok\nLaunchState: ${result.cold ? 'COLD' : 'HOT'}\nActivity: ${short}\nTotalTime: ${total}\nWaitTime: ${total + 3}\nComplete\n`);
  }
  return 0;
}

/** `am` / `cmd activity`: ActivityManagerShellCommand's verbs and output. */
export const am: ShellCommand = async (ctx) => {
  const args = dropUserArgs(ctx.args);
  const [verb, ...rest] = args;
  try {
    switch (verb) {
      case undefined:
      case 'help':
        await ctx.out(HELP);
        return 0;
      case 'start':
      case 'start-activity':
        return await amStart(ctx, rest);
      case 'instrument':
        return await amInstrument(ctx, rest);
      case 'force-stop':
      case 'kill':
        for (const p of rest.filter((a) => !a.startsWith('-'))) ctx.os.forceStop(p);
        return 0;
      case 'kill-all':
        return 0;
      case 'broadcast': {
        const intent = parseIntentArgs(rest);
        // A receiver in a running app answers RESULT_OK (-1), as io.appium.settings' receivers do.
        const targetPkg = intent.component?.split('/')[0] ?? rest[rest.indexOf('-p') + 1];
        const received = rest.includes('-p') || intent.component ? ctx.os.processTable.byName(targetPkg ?? '').length > 0 : false;
        await ctx.out(`Broadcasting: ${describeIntent({ ...intent, flags: intent.flags ?? '0x400000' }, intent.component)}\nBroadcast completed: result=${received ? -1 : 0}\n`);
        return 0;
      }
      case 'startservice':
      case 'start-service':
      case 'start-foreground-service': {
        const intent = parseIntentArgs(rest);
        await ctx.out(`Starting service: ${describeIntent(intent, intent.component)}\n`);
        return 0;
      }
      case 'get-current-user':
        await ctx.out('0\n');
        return 0;
      case 'set-debug-app':
      case 'clear-debug-app':
      case 'set-inactive':
      case 'make-uid-idle':
        return 0;
      default:
        await ctx.err(`Unknown command: ${verb}\n`);
        return 255;
    }
  } catch (err) {
    return reportAndroidError(ctx, verb ?? '', err);
  }
};

import { shellQuote } from '../../../core/untrusted.js';
import type { Step } from '../definitions.js';
import { sleep, StepFailedError, type StepContext } from './step-context.js';
import { pressKey } from './ui-actions.js';

/**
 * Starting, stopping and resetting the app through adb, as a lab does by hand: `monkey` (the
 * launcher intent, no activity name needed) or `am start -W`, `am force-stop`, `pm clear`.
 * The package name was validated at intake; it is quoted anyway.
 */

const LAUNCHER = 'android.intent.category.LAUNCHER';

async function forceStop(ctx: StepContext): Promise<void> {
  await ctx.shell.shell(`am force-stop ${shellQuote(ctx.appPackage)}`, 20_000);
}

async function resolveLauncherActivity(ctx: StepContext): Promise<string> {
  if (ctx.launchActivity) return ctx.launchActivity;
  const out = await ctx.shell.shell(`cmd package resolve-activity --brief -c ${LAUNCHER} ${shellQuote(ctx.appPackage)}`, 20_000);
  const line = out
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .reverse()
    .find((l) => l.includes('/'));
  if (!line) throw new StepFailedError(ctx.step, `cannot find the launcher activity of ${ctx.appPackage}: ${out.trim().slice(0, 200)}`);
  return line;
}

async function start(ctx: StepContext, via: 'monkey' | 'am', activity: string | undefined): Promise<string> {
  if (via === 'monkey') {
    const out = await ctx.shell.shell(`monkey -p ${shellQuote(ctx.appPackage)} -c ${LAUNCHER} 1`, 30_000);
    if (/No activities found|monkey aborted|Error:/i.test(out)) {
      throw new StepFailedError(ctx.step, `monkey could not start ${ctx.appPackage}: ${out.trim().split('\n').pop() ?? ''}`);
    }
    return 'monkey';
  }
  const target = activity ?? (await resolveLauncherActivity(ctx));
  const component = target.includes('/') ? target : `${ctx.appPackage}/${target}`;
  const out = await ctx.shell.shell(`am start -W -n ${shellQuote(component)}`, 60_000);
  if (/^Error|Exception/m.test(out)) throw new StepFailedError(ctx.step, `am start failed: ${out.trim().split('\n').slice(-2).join(' ')}`);
  return `am start ${component}`;
}

export async function launch(ctx: StepContext, step: Extract<Step, { kind: 'launch' | 'relaunch' }>): Promise<string> {
  // Cold start: a leftover process would make this a warm start and hide onCreate-time collection.
  await forceStop(ctx);
  const t = ctx.recorder.time();
  const how = await start(ctx, step.via, step.activity);
  ctx.state.expectForeground = true;
  ctx.state.exitNoted = false;
  ctx.state.awayReads = 0;
  ctx.recorder.marker('app.launch', `${step.kind === 'relaunch' ? 'relaunched' : 'launched'} ${ctx.appPackage} (${how})`, {
    step: ctx.step,
    t,
    data: { package: ctx.appPackage, via: step.via, cold: true, relaunch: step.kind === 'relaunch' },
  });
  ctx.recorder.marker('app.foreground', `${ctx.appPackage} in the foreground`, { step: ctx.step, t, data: { package: ctx.appPackage } });
  await sleep(step.settle * 1000, ctx.signal);
  return how;
}

export async function kill(ctx: StepContext): Promise<string> {
  await forceStop(ctx);
  ctx.state.expectForeground = false;
  return 'force-stopped';
}

export async function resetData(ctx: StepContext): Promise<string> {
  const out = await ctx.shell.shell(`pm clear ${shellQuote(ctx.appPackage)}`, 60_000);
  if (!/Success/.test(out)) throw new StepFailedError(ctx.step, `pm clear failed: ${out.trim().slice(0, 200)}`);
  forgetApp(ctx);
  return 'data cleared';
}

export async function reinstall(ctx: StepContext): Promise<string> {
  if (!ctx.reinstall) throw new StepFailedError(ctx.step, 'reinstall needs the APK: the runner was started without one');
  await forceStop(ctx);
  const t = ctx.recorder.time();
  await ctx.reinstall();
  forgetApp(ctx);
  ctx.recorder.marker('app.install', `fresh install of ${ctx.appPackage}`, { step: ctx.step, t, tEnd: ctx.recorder.time(), data: { package: ctx.appPackage, fresh: true } });
  return 'reinstalled';
}

/** A fresh install or cleared data: consent and permission answers are gone. */
function forgetApp(ctx: StepContext): void {
  ctx.state.consent = 'unknown';
  ctx.state.deniedGroups.clear();
  ctx.state.expectForeground = false;
  ctx.state.lastAppTree = undefined;
  ctx.state.shownConsent = undefined;
  ctx.state.shownPrompt = undefined;
  ctx.state.shownPopup = undefined;
  ctx.state.shownBlocking = undefined;
}

export async function background(ctx: StepContext): Promise<string> {
  await pressKey(ctx, 'home');
  ctx.state.expectForeground = false;
  ctx.recorder.marker('app.background', `${ctx.appPackage} sent to the background`, { step: ctx.step, data: { package: ctx.appPackage } });
  return 'in background';
}

export async function foreground(ctx: StepContext, step: Extract<Step, { kind: 'foreground' }>): Promise<string> {
  // The launcher intent brings the existing task back without restarting the process.
  const t = ctx.recorder.time();
  const how = await start(ctx, 'monkey', undefined);
  ctx.state.expectForeground = true;
  ctx.state.awayReads = 0;
  ctx.state.exitNoted = false;
  ctx.recorder.marker('app.foreground', `${ctx.appPackage} back in the foreground`, { step: ctx.step, t, data: { package: ctx.appPackage } });
  await sleep(step.settle * 1000, ctx.signal);
  return how;
}

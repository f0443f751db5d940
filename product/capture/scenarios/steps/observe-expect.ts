import { detectConsentDialog } from '../consent-detector.js';
import type { Step } from '../definitions.js';
import { detectPermissionPrompt } from '../permission-detector.js';
import { describeSelector, toLocator } from '../selector.js';
import { dominantPackage } from '../ui-hierarchy.js';
import { sleep, StepFailedError, type StepContext } from './step-context.js';
import { noteScreen } from './watch.js';

/**
 * `observe`: touch nothing while capture runs, reading the screen now and then so prompts,
 * dialogs and a quitting app show up on the timeline. `expect`: a check a scenario can make.
 */

/** Screen reads while observing: often enough to catch a prompt, rare enough to stay out of the way. */
const WATCH_INTERVAL_MS = 2000;
/** Short (scaled) observations still look a few times. */
const MIN_WATCH_INTERVAL_MS = 250;

export async function observe(ctx: StepContext, step: Extract<Step, { kind: 'observe' }>): Promise<string> {
  const end = Date.now() + step.seconds * 1000;
  if (!step.watch) {
    await sleep(step.seconds * 1000, ctx.signal);
    return `observed ${step.seconds} s`;
  }
  let reads = 0;
  const interval = Math.max(MIN_WATCH_INTERVAL_MS, Math.min(WATCH_INTERVAL_MS, (step.seconds * 1000) / 4));
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(interval, left), ctx.signal);
    if (end - Date.now() < 50) break;
    await noteScreen(ctx, await ctx.recorder.readTree());
    reads += 1;
  }
  return `observed ${step.seconds} s (${reads} screen reads)`;
}

/**
 * The focus lines of `dumpsys window`. Plain `dumpsys window` on purpose: from API 30 the
 * `windows` section no longer carries mCurrentFocus / mFocusedApp, only the display section does
 * (recorded real outputs in lab/corpora/device-outputs/dumpsys-window).
 */
export function focusLines(dumpsysWindow: string): string {
  return (dumpsysWindow.match(/mCurrentFocus=.*$/m)?.[0] ?? '') + (dumpsysWindow.match(/mFocusedApp=.*$/m)?.[0] ?? '');
}

async function currentFocus(ctx: StepContext): Promise<string> {
  return focusLines(await ctx.shell.shell('dumpsys window', 20_000));
}

export async function expectStep(ctx: StepContext, step: Extract<Step, { kind: 'expect' }>): Promise<string> {
  const t = step.target;
  const timeoutMs = step.timeout * 1000;
  let what: string;
  let holds: () => Promise<boolean>;
  if ('element' in t) {
    what = `an element with ${describeSelector(t.element)}`;
    const locator = toLocator(t.element, ctx.appPackage);
    holds = async () => (await ctx.driver.find(locator)).length > 0;
  } else if ('activity' in t) {
    what = `activity ${t.activity}`;
    holds = async () => (await currentFocus(ctx)).includes(t.activity);
  } else {
    what = 'package' in t ? `${t.package} in the foreground` : 'consentDialog' in t ? 'a privacy dialog' : 'a permission prompt';
    holds = async () => {
      const read = await ctx.recorder.readTree();
      await noteScreen(ctx, read);
      if ('package' in t) return dominantPackage(read.tree) === t.package;
      if ('consentDialog' in t) return detectConsentDialog(read.tree, { appPackage: ctx.appPackage }) !== undefined;
      return detectPermissionPrompt(read.tree, { appPackage: ctx.appPackage }) !== undefined;
    };
  }
  const wantPresent = !step.absent;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await holds()) === wantPresent) return `${what} is ${wantPresent ? 'present' : 'absent'}`;
    if (Date.now() + ctx.pollMs > deadline) break;
    await sleep(ctx.pollMs, ctx.signal);
  }
  throw new StepFailedError(ctx.step, `expected ${what} to be ${wantPresent ? 'present' : 'absent'} within ${step.timeout} s`);
}


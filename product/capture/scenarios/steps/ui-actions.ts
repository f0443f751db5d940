import { toLocator, describeSelector, type Locator, type Selector } from '../selector.js';
import { centre, label, type UiNode, type UiTree } from '../ui-hierarchy.js';
import type { Step } from '../definitions.js';
import { pollTree, sleep, StepFailedError, type StepContext } from './step-context.js';
import { noteScreen } from './watch.js';

/**
 * Taps and keys. A node found in a UI dump is tapped through Appium by the most specific
 * locator that names it uniquely (resource id, then exact text), and by `input tap` at its
 * centre when neither does: UiAutomator's click is a tap at the centre too, so all three hit the
 * same spot on a real phone.
 */

const KEY_BACK = 4;
const KEY_HOME = 3;

export async function clickNode(ctx: StepContext, node: UiNode, tree: UiTree): Promise<string> {
  const attempts: Locator[] = [];
  if (node.resourceId && tree.nodes.filter((n) => n.resourceId === node.resourceId).length === 1) {
    attempts.push({ using: 'id', value: node.resourceId });
  }
  const text = node.text || labelBelow(node);
  if (text && tree.nodes.filter((n) => n.text === text).length === 1) {
    attempts.push(toLocator({ text }, ctx.appPackage));
  }
  for (const locator of attempts) {
    try {
      const [id] = await ctx.driver.find(locator);
      if (id) {
        await ctx.driver.click(id);
        return locator.using;
      }
    } catch (e) {
      ctx.logger.debug({ locator, err: e instanceof Error ? e.message : String(e) }, 'click by locator failed; trying the next way');
    }
  }
  if (!node.bounds) throw new StepFailedError(ctx.step, `cannot tap "${label(node)}": it has no bounds`);
  const { x, y } = centre(node.bounds);
  await ctx.shell.shell(`input tap ${x} ${y}`, 15_000);
  return 'input-tap';
}

/** The text of a clickable container's only text child (a layout around a TextView). */
function labelBelow(node: UiNode): string {
  const texts = node.children.map((c) => c.text).filter(Boolean);
  return texts.length === 1 ? texts[0]! : '';
}

async function findBySelector(ctx: StepContext, selector: Selector, timeoutS: number): Promise<string | undefined> {
  const locator = toLocator(selector, ctx.appPackage);
  const deadline = Date.now() + timeoutS * 1000;
  for (;;) {
    const [id] = await ctx.driver.find(locator);
    if (id) return id;
    if (Date.now() + ctx.pollMs > deadline) return undefined;
    await sleep(ctx.pollMs, ctx.signal);
  }
}

export async function tap(ctx: StepContext, step: Extract<Step, { kind: 'tap' }>): Promise<string> {
  const id = await findBySelector(ctx, step.selector, step.timeout);
  if (!id) {
    if (step.optional) return `no element with ${describeSelector(step.selector)}; skipped`;
    throw new StepFailedError(ctx.step, `no element with ${describeSelector(step.selector)} within ${step.timeout} s`);
  }
  await ctx.driver.click(id);
  ctx.recorder.marker('user.action', `tap ${describeSelector(step.selector)}`, { step: ctx.step, data: { action: 'tap' } });
  return `tapped ${describeSelector(step.selector)}`;
}

export async function type(ctx: StepContext, step: Extract<Step, { kind: 'type' }>): Promise<string> {
  const id = await findBySelector(ctx, step.selector, step.timeout);
  if (!id) throw new StepFailedError(ctx.step, `no element with ${describeSelector(step.selector)} within ${step.timeout} s`);
  await ctx.driver.sendKeys(id, step.value);
  ctx.recorder.marker('user.action', `type into ${describeSelector(step.selector)}`, { step: ctx.step, data: { action: 'type' } });
  return `typed ${step.value.length} characters`;
}

export async function scroll(ctx: StepContext, step: Extract<Step, { kind: 'scroll' }>): Promise<string> {
  const { width, height } = await ctx.driver.windowSize();
  const cx = Math.round(width / 2);
  const cy = Math.round(height / 2);
  const dx = Math.round(width * 0.3);
  const dy = Math.round(height * 0.3);
  // Content moves opposite to the finger: scrolling down is a swipe up.
  const [x1, y1, x2, y2] = {
    down: [cx, cy + dy, cx, cy - dy],
    up: [cx, cy - dy, cx, cy + dy],
    right: [cx + dx, cy, cx - dx, cy],
    left: [cx - dx, cy, cx + dx, cy],
  }[step.direction];
  for (let i = 0; i < step.times; i += 1) {
    await ctx.shell.shell(`input swipe ${x1} ${y1} ${x2} ${y2} 300`, 15_000);
    await sleep(300, ctx.signal);
  }
  ctx.recorder.marker('user.action', `scroll ${step.direction}`, { step: ctx.step, data: { action: 'scroll', times: step.times } });
  return `scrolled ${step.direction} ${step.times}×`;
}

export async function pressKey(ctx: StepContext, key: 'back' | 'home'): Promise<void> {
  try {
    if (key === 'back') await ctx.driver.back();
    else await ctx.driver.pressKeyCode(KEY_HOME);
  } catch (e) {
    ctx.logger.debug({ err: e instanceof Error ? e.message : String(e) }, 'key through Appium failed; using input keyevent');
    await ctx.shell.shell(`input keyevent ${key === 'back' ? KEY_BACK : KEY_HOME}`, 15_000);
  }
  ctx.recorder.marker('user.action', `press ${key}`, { step: ctx.step, data: { action: key } });
}

export async function back(ctx: StepContext): Promise<string> {
  await pressKey(ctx, 'back');
  // Back may close the app: let the watcher see what is in front now.
  await pollTree(ctx, 0, () => true, async (read) => void (await noteScreen(ctx, read)));
  return 'pressed Back';
}

export async function home(ctx: StepContext): Promise<string> {
  await pressKey(ctx, 'home');
  if (ctx.state.expectForeground) {
    ctx.recorder.marker('app.background', `${ctx.appPackage} sent to the background`, { step: ctx.step, data: { package: ctx.appPackage } });
  }
  ctx.state.expectForeground = false;
  return 'pressed Home';
}

import type { PermissionAction, Step } from '../definitions.js';
import { choosePromptButton, detectPermissionPrompt, permissionGroup, type PermissionPrompt } from '../permission-detector.js';
import { centre, type UiTree } from '../ui-hierarchy.js';
import { pollTree, sleep, StepFailedError, type StepContext } from './step-context.js';
import { clickNode } from './ui-actions.js';
import { noteScreen, promptKey } from './watch.js';

/**
 * `permission: allow | allow-once | allow-foreground | deny | deny-always`: waits for the
 * system permission dialog, answers it and records what was asked and answered. With `all`,
 * keeps answering until no prompt follows; with a named permission, other prompts met on the
 * way get the `others` answer.
 */

type PermissionStep = Extract<Step, { kind: 'permission' }>;

const MAX_PROMPTS = 12;
/** After an answer, how long the next prompt of a batch may take to appear. */
const NEXT_PROMPT_MS = 4000;
const GRANTING = new Set<PermissionAction>(['allow', 'allow-once', 'allow-foreground']);

export async function permission(ctx: StepContext, step: PermissionStep): Promise<string> {
  const wanted = step.permission ? permissionGroup(step.permission) : undefined;
  const answers: string[] = [];
  let matched = false;
  // An optional prompt may never come: that wait is scaled with the run's speed.
  const firstWaitMs = step.timeout * 1000 * (step.optional ? ctx.waitScale : 1);
  let waitMs = firstWaitMs;
  for (let i = 0; i < MAX_PROMPTS; i += 1) {
    const found = await pollTree(
      ctx,
      waitMs,
      (read) => detectPermissionPrompt(read.tree, { appPackage: ctx.appPackage }),
      async (read) => void (await noteScreen(ctx, read)),
    );
    if (!found) break;
    const prompt = found.value;
    const isWanted = wanted === undefined || prompt.group === wanted;
    const action = isWanted ? step.action : step.others;
    answers.push(await answer(ctx, prompt, found.read.tree, action));
    matched ||= isWanted;
    if (isWanted && !step.all) break;
    waitMs = wanted !== undefined && !matched ? firstWaitMs : Math.min(NEXT_PROMPT_MS * ctx.waitScale, step.timeout * 1000);
  }
  if (!matched && !step.optional) {
    throw new StepFailedError(ctx.step, `no permission prompt${wanted ? ` for ${wanted}` : ''} appeared within ${step.timeout} s`);
  }
  return answers.length > 0 ? answers.join('; ') : 'no permission prompt appeared';
}

async function answer(ctx: StepContext, prompt: PermissionPrompt, tree: UiTree, action: PermissionAction): Promise<string> {
  const choice = choosePromptButton(prompt, action);
  const group = prompt.group ?? null;
  if (!choice) throw new StepFailedError(ctx.step, `the permission dialog has no button for "${action}"`);
  if (choice.tickDontAsk && prompt.dontAskAgain) {
    await clickNode(ctx, prompt.dontAskAgain, tree);
    await sleep(200, ctx.signal);
  }
  const t = ctx.recorder.time();
  await clickNode(ctx, choice.button, tree);
  await waitUntilGone(ctx, prompt, choice.button.bounds ? centre(choice.button.bounds) : undefined);
  const granted = GRANTING.has(action);
  if (prompt.group) {
    if (granted) ctx.state.deniedGroups.delete(prompt.group);
    else ctx.state.deniedGroups.add(prompt.group);
  }
  const snap = await ctx.recorder.snapshot(ctx.step, granted ? 'permission-granted' : 'permission-denied');
  ctx.recorder.marker(granted ? 'permission.granted' : 'permission.denied', `${granted ? 'allowed' : 'denied'} ${group ?? 'a permission'} (${choice.chosen})`, {
    step: ctx.step,
    t,
    ui: snap.id,
    data: {
      group,
      action,
      button: choice.chosen,
      message: prompt.message,
      ...(choice.note ? { note: choice.note } : {}),
      ...(choice.tickDontAsk ? { dontAskAgain: true } : {}),
    },
  });
  ctx.state.shownPrompt = undefined;
  return `${group ?? 'permission'}: ${choice.chosen}`;
}

/** The same prompt still up after the tap may mean the tap was lost: tap once more at its centre. */
async function waitUntilGone(ctx: StepContext, prompt: PermissionPrompt, at: { x: number; y: number } | undefined): Promise<void> {
  const key = promptKey(prompt);
  const stillThere = (tree: UiTree) => {
    const p = detectPermissionPrompt(tree, { appPackage: ctx.appPackage });
    return p !== undefined && promptKey(p) === key;
  };
  const gone = await pollTree(ctx, 2000, (read) => (stillThere(read.tree) ? undefined : true));
  if (gone || !at) return;
  await ctx.shell.shell(`input tap ${at.x} ${at.y}`, 15_000);
  const goneNow = await pollTree(ctx, 2000, (read) => (stillThere(read.tree) ? undefined : true));
  // Still there: either taps do not reach it, or the app asks again at once (PERM-FORCED looks
  // like this). The next read notes it as a new request either way.
  if (!goneNow) ctx.logger.info({ message: prompt.message }, 'the permission dialog is still shown after the answer');
}

import { detectConsentDialog, matchSelector, type ConsentDialog, type ConsentOverrides } from '../consent-detector.js';
import type { Step } from '../definitions.js';
import { choosePromptButton, detectPermissionPrompt } from '../permission-detector.js';
import { centre, type UiNode, type UiTree } from '../ui-hierarchy.js';
import { pollTree, sleep, StepFailedError, type StepContext } from './step-context.js';
import { clickNode } from './ui-actions.js';
import { noteConsentDialog, noteScreen } from './watch.js';

/**
 * `consent: accept | refuse`: find the privacy dialog, press the right control, and follow
 * through: tick a consent box first when accepting, confirm an "are you sure?" dialog when
 * refusing. When no dialog can be found the step says so with a `consent.not-found` marker, so
 * the analysis reports "inconclusive" rather than "compliant".
 */

type ConsentStep = Extract<Step, { kind: 'consent' }>;
type Read = { xml: string; tree: UiTree; t: number };

const MAX_FOLLOW_UPS = 3;
/** How long to wait for a follow-up dialog after a press. */
const FOLLOW_UP_MS = 2500;

function overridesFor(ctx: StepContext, step: ConsentStep): ConsentOverrides | undefined {
  const o: ConsentOverrides = { ...ctx.overrides };
  if (step.accept) o.accept = step.accept;
  if (step.refuse) o.refuse = step.refuse;
  if (step.confirm) o.confirm = step.confirm;
  if (step.checkbox) o.checkbox = step.checkbox;
  return Object.keys(o).length > 0 ? o : undefined;
}

export async function consent(ctx: StepContext, step: ConsentStep): Promise<string> {
  const overrides = overridesFor(ctx, step);
  const detect = (tree: UiTree) => detectConsentDialog(tree, { appPackage: ctx.appPackage, ...(overrides ? { overrides } : {}) });
  const found = await pollTree(
    ctx,
    step.timeout * 1000,
    (read) => detect(read.tree),
    async (read) => {
      await noteScreen(ctx, read);
      await denyBlockingPrompt(ctx, read);
    },
  );
  if (!found) {
    const snap = await ctx.recorder.snapshot(ctx.step, 'consent-not-found');
    ctx.recorder.marker('consent.not-found', `no privacy dialog found within ${step.timeout} s (looked for policy text with agree/refuse controls, zh and en)`, {
      step: ctx.step,
      ui: snap.id,
      data: { action: step.action, timeoutS: step.timeout },
    });
    return 'no privacy dialog found';
  }
  const snap = await ctx.recorder.snapshot(ctx.step, 'consent-dialog', found.read);
  // noteScreen skips a dialog it already noted; a dialog found only through overrides is noted here.
  if (!ctx.state.shownConsent) {
    ctx.state.shownConsent = `${found.value.kind}|${found.value.text}`;
    await noteConsentDialog(ctx, found.value, snap);
  }
  return step.action === 'accept' ? accept(ctx, found.value, found.read, snap.id, detect) : refuse(ctx, found.value, found.read, snap.id, detect, step);
}

/** A permission prompt shown before the policy hides it; it is noted (CONSENT-PRE-PERMISSION) and denied. */
async function denyBlockingPrompt(ctx: StepContext, read: Read): Promise<void> {
  const prompt = detectPermissionPrompt(read.tree, { appPackage: ctx.appPackage });
  if (!prompt) return;
  const choice = choosePromptButton(prompt, 'deny');
  if (!choice) return;
  await clickNode(ctx, choice.button, read.tree);
  if (prompt.group) ctx.state.deniedGroups.add(prompt.group);
  ctx.recorder.marker('permission.denied', `denied ${prompt.group ?? 'a permission'} shown before the privacy policy`, {
    step: ctx.step,
    data: { group: prompt.group ?? null, button: choice.chosen, beforeConsent: true },
  });
  ctx.state.shownPrompt = undefined;
  await sleep(500, ctx.signal);
}

async function accept(
  ctx: StepContext,
  dialog: ConsentDialog,
  read: Read,
  uiId: string,
  detect: (tree: UiTree) => ConsentDialog | undefined,
): Promise<string> {
  let current = dialog;
  let tree = read.tree;
  const pressed: string[] = [];
  let tPressed: number | undefined;
  for (let round = 0; round < MAX_FOLLOW_UPS; round += 1) {
    // "I have read and agree" boxes must be ticked first, or the accept button does nothing.
    const box = current.checkboxes.find((b) => !b.checked);
    if (box && current.checkboxes.every((b) => !b.checked)) {
      await clickNode(ctx, box.node, tree);
      pressed.push(`☑ ${box.label.slice(0, 40)}`);
      await sleep(300, ctx.signal);
      tree = (await ctx.recorder.readTree()).tree;
    }
    const control = current.accept;
    if (!control) {
      ctx.recorder.marker('consent.not-found', 'a privacy dialog is shown but no control to accept it was found', {
        step: ctx.step,
        ui: uiId,
        data: { action: 'accept', controls: current.controls.map((c) => c.label).join(' | ') },
      });
      return 'no accept control';
    }
    pressed.push(control.label);
    const press = await pressAndFollow(ctx, control.node, tree, detect, current);
    const next = press.next;
    tPressed = press.tPressed;
    if (next === 'gone') break;
    if (next === 'stuck') {
      throw new StepFailedError(ctx.step, `the privacy dialog stayed after pressing "${control.label}" twice`);
    }
    current = next.dialog;
    tree = next.read.tree;
  }
  ctx.state.consent = 'accepted';
  const after = await ctx.recorder.snapshot(ctx.step, 'consent-accepted');
  ctx.recorder.marker('consent.accepted', `privacy policy accepted (pressed ${pressed.map((p) => `"${p}"`).join(', ')})`, {
    step: ctx.step,
    ui: after.id,
    // The app reacts to the press, not to the moment the dialog was seen gone (CONSENT-PRE-COLLECT).
    data: { button: pressed.join(' | '), implicit: dialog.implicit ?? null, ...(tPressed !== undefined ? { tPressed } : {}) },
  });
  return `accepted with ${pressed.join(', ')}`;
}

async function refuse(
  ctx: StepContext,
  dialog: ConsentDialog,
  read: Read,
  uiId: string,
  detect: (tree: UiTree) => ConsentDialog | undefined,
  step: ConsentStep,
): Promise<string> {
  let current = dialog;
  let tree = read.tree;
  const pressed: string[] = [];
  let confirmations = 0;
  let tPressed: number | undefined;
  let kind = dialog.refuse?.kind ?? 'refuse';
  for (let round = 0; round < MAX_FOLLOW_UPS; round += 1) {
    const confirmOverride = round > 0 && step.confirm ? matchSelector(tree, step.confirm, ctx.appPackage)[0] : undefined;
    const node = confirmOverride ?? current.refuse?.node;
    if (!node) {
      if (round === 0) {
        ctx.recorder.marker('note', 'the privacy dialog offers no way to refuse; nothing was pressed', {
          step: ctx.step,
          ui: uiId,
          data: { action: 'refuse', controls: current.controls.map((c) => c.label).join(' | ') },
        });
        return 'no refuse control';
      }
      break;
    }
    pressed.push(current.refuse?.label ?? 'override');
    if (round > 0) confirmations += 1;
    else kind = current.refuse?.kind ?? kind;
    // A refusal is often followed by "are you sure?": keep refusing, a bounded number of times.
    const press = await pressAndFollow(ctx, node, tree, detect, current);
    const next = press.next;
    tPressed = press.tPressed;
    if (next === 'gone') break;
    if (next === 'stuck') {
      throw new StepFailedError(ctx.step, `the privacy dialog stayed after pressing "${pressed[pressed.length - 1] ?? 'refuse'}" twice`);
    }
    current = next.dialog;
    tree = next.read.tree;
  }
  ctx.state.consent = 'refused';
  const after = await ctx.recorder.snapshot(ctx.step, 'consent-refused');
  ctx.recorder.marker('consent.refused', `privacy policy refused (pressed ${pressed.map((p) => `"${p}"`).join(', ')})`, {
    step: ctx.step,
    ui: after.id,
    data: { button: pressed.join(' | '), refuseKind: kind, confirmations, ...(tPressed !== undefined ? { tPressed } : {}) },
  });
  return `refused with ${pressed.join(', ')}`;
}

/**
 * After a press: the dialog that follows (an "are you sure?", a second layer), `gone` when no
 * consent dialog is left, or `stuck` when the same dialog is still there after the wait.
 */
async function followUp(
  ctx: StepContext,
  detect: (tree: UiTree) => ConsentDialog | undefined,
  previous: ConsentDialog,
): Promise<{ dialog: ConsentDialog; read: Read } | 'gone' | 'stuck'> {
  await sleep(Math.min(500, ctx.pollMs), ctx.signal);
  const found = await pollTree(ctx, FOLLOW_UP_MS * ctx.waitScale, (read) => {
    const d = detect(read.tree);
    if (!d) return null;
    return d.text === previous.text && d.kind === previous.kind ? undefined : d;
  });
  if (!found) return 'stuck';
  if (found.value === null) return 'gone';
  const snap = await ctx.recorder.snapshot(ctx.step, 'consent-follow-up', found.read);
  ctx.state.shownConsent = `${found.value.kind}|${found.value.text}`;
  await noteConsentDialog(ctx, found.value, snap);
  return { dialog: found.value, read: found.read };
}

/** Presses `node`, and once more with a raw tap if the dialog did not react. `tPressed`: the press that counted. */
async function pressAndFollow(
  ctx: StepContext,
  node: UiNode,
  tree: UiTree,
  detect: (tree: UiTree) => ConsentDialog | undefined,
  current: ConsentDialog,
): Promise<{ next: { dialog: ConsentDialog; read: Read } | 'gone' | 'stuck'; tPressed: number }> {
  const tPressed = ctx.recorder.time();
  await clickNode(ctx, node, tree);
  const next = await followUp(ctx, detect, current);
  if (next !== 'stuck' || !node.bounds) return { next, tPressed };
  const { x, y } = centre(node.bounds);
  ctx.logger.debug({ x, y }, 'dialog did not react; tapping again at the control centre');
  const tRetap = ctx.recorder.time();
  await ctx.shell.shell(`input tap ${x} ${y}`, 15_000);
  return { next: await followUp(ctx, detect, current), tPressed: tRetap };
}

import type { Step } from '../definitions.js';
import { detectPopup, type Popup } from '../popup-detector.js';
import { centre, type UiTree } from '../ui-hierarchy.js';
import { pollTree, type StepContext } from './step-context.js';
import { clickNode } from './ui-actions.js';
import { describePopup, noteScreen, popupData, popupOptions } from './watch.js';

/**
 * `dismiss-popups`: what a regulator's lab does after launch and consent: waits for launch ads,
 * interstitials and other pop-ups over the app, and closes each with its own close or skip
 * control. Every pop-up gets a `popup.shown` marker with its UI snapshot saying whether it has
 * such a control (`closable`), whether the scenario pressed it (`closeAttempted`) and whether
 * that worked (`closed`, and a `popup.closed` marker). Back is never pressed: it is not the
 * visible close control N26 asks for, and it may quit the app.
 */

type DismissStep = Extract<Step, { kind: 'dismiss-popups' }>;
type Read = { xml: string; tree: UiTree; t: number };

/** How long a pop-up may take to go away after its close control is pressed. */
const CLOSE_WAIT_MS = 2500;
/** After one pop-up is closed, how long the next one may take (a launch ad, then a coupon). */
const NEXT_POPUP_MS = 2000;

export async function dismissPopups(ctx: StepContext, step: DismissStep): Promise<string> {
  const outcomes: string[] = [];
  // A pop-up may never come: that wait follows the run's speed.
  let waitMs = step.timeout * 1000 * ctx.waitScale;
  for (let i = 0; i < step.max; i += 1) {
    const found = await pollTree(
      ctx,
      waitMs,
      (read) => detectPopup(read.tree, popupOptions(ctx)),
      async (read) => void (await noteScreen(ctx, read, { popups: false })),
    );
    if (!found) break;
    const popup = found.value;
    ctx.state.shownPopup = popup.signature;
    const snap = await ctx.recorder.snapshot(ctx.step, 'popup', found.read);
    if (!popup.close) {
      ctx.recorder.marker('popup.shown', `${describePopup(popup)} with no close or skip control`, {
        step: ctx.step,
        ui: snap.id,
        t: found.read.t,
        data: popupData(popup, { closeAttempted: false }),
      });
      outcomes.push(`${describePopup(popup)}: no close control`);
      break;
    }
    const tPressed = ctx.recorder.time();
    await clickNode(ctx, popup.close.node, found.read.tree);
    let gone = await waitGone(ctx, popup);
    if (!gone && popup.close.node.bounds) {
      // UiAutomator's click may not reach an overlay drawn over another window: tap the spot itself.
      const { x, y } = centre(popup.close.node.bounds);
      await ctx.shell.shell(`input tap ${x} ${y}`, 15_000);
      gone = await waitGone(ctx, popup);
    }
    ctx.recorder.marker('popup.shown', `${describePopup(popup)}; pressed "${popup.close.label}"${gone ? '' : ', and it stayed'}`, {
      step: ctx.step,
      ui: snap.id,
      t: found.read.t,
      data: popupData(popup, { closeAttempted: true, closed: gone !== undefined, tPressed }),
    });
    if (!gone) {
      outcomes.push(`${describePopup(popup)}: "${popup.close.label}" did not close it`);
      break;
    }
    ctx.recorder.marker('popup.closed', `${describePopup(popup)} closed with "${popup.close.label}"`, {
      step: ctx.step,
      t: gone.t,
      data: { via: 'close-control', control: popup.close.label, signature: popup.signature.slice(0, 200), name: popup.name },
    });
    ctx.state.shownPopup = undefined;
    outcomes.push(`${describePopup(popup)}: closed with "${popup.close.label}"`);
    waitMs = Math.min(NEXT_POPUP_MS * ctx.waitScale, step.timeout * 1000);
  }
  return outcomes.length > 0 ? outcomes.join('; ') : 'no pop-up appeared';
}

/** The first read on which that pop-up (same signature) is no longer shown, if within the wait. */
async function waitGone(ctx: StepContext, popup: Popup): Promise<Read | undefined> {
  const found = await pollTree(
    ctx,
    CLOSE_WAIT_MS * Math.max(ctx.waitScale, 0.4),
    (read) => (detectPopup(read.tree, popupOptions(ctx))?.signature === popup.signature ? undefined : read),
    async (read) => void (await noteScreen(ctx, read, { popups: false })),
  );
  return found?.value;
}

import { detectConsentDialog, type ConsentDialog } from '../consent-detector.js';
import { detectPermissionPrompt, findPurposeText, PERMISSION_PACKAGES, type PermissionPrompt } from '../permission-detector.js';
import { detectBlockingScreen, detectPopup, type Popup, type PopupOptions } from '../popup-detector.js';
import type { MarkerData, Snapshot } from '../recorder.js';
import { dominantPackage, type UiTree } from '../ui-hierarchy.js';
import { rememberAppScreen, type StepContext } from './step-context.js';

/**
 * Notes what appears on screen while the scenario waits or looks for something: permission
 * prompts (with any purpose text the app showed), privacy dialogs, pop-ups over the app, a
 * screen that refuses service after a denied permission, and the app leaving the foreground on
 * its own. Markers only; nothing is tapped here. A dialog that stays up is noted once.
 */

type Read = { xml: string; tree: UiTree; t: number };

export interface Noticed {
  prompt: PermissionPrompt | undefined;
  consent: ConsentDialog | undefined;
  popup: Popup | undefined;
  snapshot: Snapshot | undefined;
}

export interface NoteOptions {
  /** Note pop-ups (off while `dismiss-popups` handles them and writes its own markers). */
  popups?: boolean;
}

export function promptKey(p: PermissionPrompt): string {
  return `${p.package}|${p.message}|${Object.keys(p.buttons).sort().join(',')}`;
}

export async function noteScreen(ctx: StepContext, read: Read, options: NoteOptions = {}): Promise<Noticed> {
  const { state, recorder } = ctx;
  await learnScreenSize(ctx);
  let snapshot: Snapshot | undefined;
  const snap = async (name: string) => (snapshot ??= await recorder.snapshot(ctx.step, name, read));

  const prompt = detectPermissionPrompt(read.tree, { appPackage: ctx.appPackage });
  if (prompt) {
    const key = promptKey(prompt);
    if (state.shownPrompt !== key) {
      state.shownPrompt = key;
      await notePrompt(ctx, prompt, read, await snap('permission-prompt'));
    }
  } else {
    state.shownPrompt = undefined;
  }

  // Before the consent detector: "无法使用" also ends a refusal confirmation, but this one is about a permission.
  const blocking = prompt || state.deniedGroups.size === 0 ? undefined : detectBlockingScreen(read.tree, ctx.appPackage);
  if (blocking) {
    if (state.shownBlocking !== blocking.text) {
      state.shownBlocking = blocking.text;
      const s = await snap('blocking-screen');
      // PERM-FORCED reads `blocking: true`; the groups are the ones denied so far in this install.
      recorder.marker('note', `the app refuses service after a denied permission: "${blocking.text.slice(0, 120)}"`, {
        step: ctx.step,
        ui: s.id,
        t: read.t,
        data: { blocking: true, text: blocking.text, deniedGroups: [...state.deniedGroups].sort().join(',') },
      });
    }
  } else {
    state.shownBlocking = undefined;
  }

  const consent = prompt || blocking ? undefined : detectConsentDialog(read.tree, { appPackage: ctx.appPackage, ...(ctx.overrides ? { overrides: ctx.overrides } : {}) });
  if (consent) {
    const key = `${consent.kind}|${consent.text}`;
    if (state.shownConsent !== key) {
      state.shownConsent = key;
      await noteConsentDialog(ctx, consent, await snap('consent-dialog'));
    }
  } else {
    state.shownConsent = undefined;
  }

  const popup = prompt || consent || blocking ? undefined : detectPopup(read.tree, popupOptions(ctx));
  if (popup && options.popups !== false) {
    if (state.shownPopup !== popup.signature) {
      state.shownPopup = popup.signature;
      notePopupSeen(ctx, popup, read, await snap('popup'));
    }
  } else if (!popup) {
    state.shownPopup = undefined;
  }

  const fg = dominantPackage(read.tree);
  if (!prompt) rememberAppScreen(ctx, read);
  if (state.expectForeground) {
    if (fg === ctx.appPackage || (fg !== undefined && PERMISSION_PACKAGES.has(fg))) {
      state.exitNoted = false;
      state.awayReads = 0;
    } else {
      // Two reads in a row without the app: a slow start is not an exit.
      state.awayReads += 1;
      if (state.awayReads >= 2 && !state.exitNoted) {
        state.exitNoted = true;
        const s = await snap('app-gone');
        recorder.marker('app.exit', `the app left the foreground on its own (now: ${fg ?? 'nothing'})`, {
          step: ctx.step,
          ui: s.id,
          data: { package: ctx.appPackage, foreground: fg ?? null },
        });
      }
    }
  }
  return { prompt, consent, popup, snapshot };
}

/** The screen size, asked once per run: a dialog-only dump does not show it. */
async function learnScreenSize(ctx: StepContext): Promise<void> {
  if (ctx.state.screen !== undefined) return;
  try {
    ctx.state.screen = await ctx.driver.windowSize();
  } catch (e) {
    ctx.state.screen = null;
    ctx.logger.debug({ err: e instanceof Error ? e.message : String(e) }, 'window size unknown; pop-ups judged from the dump alone');
  }
}

export function popupOptions(ctx: StepContext): PopupOptions {
  return { appPackage: ctx.appPackage, ...(ctx.state.screen ? { screen: ctx.state.screen } : {}) };
}

/** What UI-UNCLOSABLE-POPUP reads: whether there is a close control, and what pressing it did. */
export function popupData(popup: Popup, extra: MarkerData = {}): MarkerData {
  return {
    popup: popup.kind,
    name: popup.name,
    closable: popup.close !== undefined,
    control: popup.close?.label ?? null,
    controlBy: popup.close?.by ?? null,
    fullScreen: popup.fullScreen,
    cues: popup.cues.join('; ').slice(0, 300),
    signature: popup.signature.slice(0, 200),
    ...extra,
  };
}

export function describePopup(popup: Popup): string {
  return `${popup.kind === 'ad' ? 'ad' : 'dialog'} pop-up${popup.name ? ` "${popup.name}"` : ''}`;
}

/** The watcher's note of a pop-up it saw in passing: nothing was pressed. */
function notePopupSeen(ctx: StepContext, popup: Popup, read: Read, snapshot: Snapshot): void {
  ctx.recorder.marker('popup.shown', `${describePopup(popup)} shown${popup.close ? ` (close control "${popup.close.label}")` : ', with no close or skip control'}`, {
    step: ctx.step,
    ui: snapshot.id,
    t: read.t,
    data: popupData(popup),
  });
}

export async function notePrompt(ctx: StepContext, prompt: PermissionPrompt, read: Read, snapshot: Snapshot): Promise<void> {
  const group = prompt.group ?? null;
  const reprompt = prompt.group !== undefined && ctx.state.deniedGroups.has(prompt.group);
  // Purpose text counts when it is on screen with the prompt or on the app's last screen before it.
  const withPrompt = findPurposeText(read.tree, prompt.group, ctx.appPackage);
  const before = ctx.state.lastAppTree ? findPurposeText(ctx.state.lastAppTree.tree, prompt.group, ctx.appPackage) : undefined;
  const purpose = withPrompt ?? before;
  if (purpose) {
    ctx.recorder.marker('permission.purpose-shown', `purpose shown for ${group ?? 'a permission'}: ${purpose}`, {
      step: ctx.step,
      t: withPrompt ? read.t : (ctx.state.lastAppTree?.t ?? read.t),
      data: { group, text: purpose, where: withPrompt ? 'with-prompt' : 'before-prompt' },
    });
  }
  ctx.recorder.marker('permission.requested', `permission prompt: ${prompt.message || group || 'unknown permission'}`, {
    step: ctx.step,
    ui: snapshot.id,
    t: read.t,
    data: {
      group,
      message: prompt.message,
      package: prompt.package,
      source: prompt.source,
      reprompt,
      purposeShown: purpose !== undefined,
    },
  });
}

export async function noteConsentDialog(ctx: StepContext, dialog: ConsentDialog, snapshot: Snapshot): Promise<void> {
  const data = {
    dialog: dialog.kind,
    language: dialog.language,
    layout: dialog.layout,
    accept: dialog.accept?.label ?? null,
    refuse: dialog.refuse?.label ?? null,
    refuseKind: dialog.refuse?.kind ?? null,
    preTicked: dialog.preTicked,
    text: dialog.text,
  };
  ctx.recorder.marker('consent.shown', `${dialog.kind === 'confirmation' ? 'refusal confirmation' : 'privacy dialog'} shown: ${dialog.text.slice(0, 120)}`, {
    step: ctx.step,
    ui: snapshot.id,
    t: snapshot.t,
    data,
  });
  if (dialog.implicit && dialog.kind === 'policy') {
    const why = dialog.implicit === 'pre-ticked' ? 'the consent box was ticked before any tap' : 'the dialog offers no way to refuse, only to acknowledge';
    ctx.recorder.marker('consent.implicit', `consent by default: ${why}`, {
      step: ctx.step,
      ui: snapshot.id,
      t: snapshot.t,
      data: { reason: dialog.implicit, control: dialog.accept?.label ?? null },
    });
  }
}

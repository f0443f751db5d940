import { detectConsentDialog, type ConsentDialog } from '../consent-detector.js';
import { detectPermissionPrompt, findPurposeText, PERMISSION_PACKAGES, type PermissionPrompt } from '../permission-detector.js';
import type { Snapshot } from '../recorder.js';
import { dominantPackage, type UiTree } from '../ui-tree.js';
import { rememberAppScreen, type StepContext } from './context.js';

/**
 * Notes what appears on screen while the scenario waits or looks for something: permission
 * prompts (with any purpose text the app showed), privacy dialogs, and the app leaving the
 * foreground on its own. Markers only; nothing is tapped here. A dialog that stays up is noted
 * once.
 */

type Read = { xml: string; tree: UiTree; t: number };

export interface Noticed {
  prompt: PermissionPrompt | undefined;
  consent: ConsentDialog | undefined;
  snapshot: Snapshot | undefined;
}

export function promptKey(p: PermissionPrompt): string {
  return `${p.package}|${p.message}|${Object.keys(p.buttons).sort().join(',')}`;
}

export async function noteScreen(ctx: StepContext, read: Read): Promise<Noticed> {
  const { state, recorder } = ctx;
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

  const consent = prompt ? undefined : detectConsentDialog(read.tree, { appPackage: ctx.appPackage, ...(ctx.overrides ? { overrides: ctx.overrides } : {}) });
  if (consent) {
    const key = `${consent.kind}|${consent.text}`;
    if (state.shownConsent !== key) {
      state.shownConsent = key;
      await noteConsentDialog(ctx, consent, await snap('consent-dialog'));
    }
  } else {
    state.shownConsent = undefined;
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
  return { prompt, consent, snapshot };
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

import { ConsentryError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import type { ConsentOverrides } from '../consent-detector.js';
import type { DeviceShell } from '../device-shell.js';
import type { EvidenceRecorder } from '../recorder.js';
import { detectPermissionPrompt } from '../permission-detector.js';
import { dominantPackage, type UiTree } from '../ui-hierarchy.js';
import type { UiDriver } from '../ui-session.js';

/** What every step handler gets. Immutable except `state`, which belongs to this one run. */
export interface StepContext {
  readonly driver: UiDriver;
  readonly shell: DeviceShell;
  readonly recorder: EvidenceRecorder;
  readonly appPackage: string;
  readonly logger: Logger;
  readonly overrides: ConsentOverrides | undefined;
  readonly launchActivity: string | undefined;
  /** Fresh install for `reinstall`. */
  readonly reinstall: (() => Promise<void>) | undefined;
  readonly pollMs: number;
  /** Multiplies the waits for something that may not come (optional prompts, follow-up dialogs). */
  readonly waitScale: number;
  readonly signal: AbortSignal | undefined;
  readonly state: RunState;
  /** Index of the step being played (marker.step). */
  readonly step: number;
}

/** What the run has learnt so far (consent given, permissions denied, app in front). */
export interface RunState {
  consent: 'unknown' | 'accepted' | 'refused';
  /** Permission groups denied in this run, for re-prompt detection (PERM-REPROMPT). */
  deniedGroups: Set<string>;
  /** The app should be in front (launched and not sent away on purpose). */
  expectForeground: boolean;
  /** An app.exit marker was written for the current absence. */
  exitNoted: boolean;
  /** Consecutive UI reads without the app in front. */
  awayReads: number;
  /** The last tree in which the app itself (not a system dialog) was in front. */
  lastAppTree: { tree: UiTree; t: number } | undefined;
  /** Dialog currently on screen, so a dialog that stays up is noted once. */
  shownPrompt: string | undefined;
  shownConsent: string | undefined;
  /** Signature of the pop-up on screen, noted once. */
  shownPopup: string | undefined;
  /** Words of the blocking screen on screen, noted once. */
  shownBlocking: string | undefined;
  /** The device's screen (asked once; null when the driver could not say). */
  screen: { width: number; height: number } | null | undefined;
}

export function newRunState(): RunState {
  return {
    consent: 'unknown',
    deniedGroups: new Set(),
    expectForeground: false,
    exitNoted: false,
    awayReads: 0,
    lastAppTree: undefined,
    shownPrompt: undefined,
    shownConsent: undefined,
    shownPopup: undefined,
    shownBlocking: undefined,
    screen: undefined,
  };
}

/** A step that could not do what it says (element missing, expectation false...). The run goes on. */
export class StepFailedError extends ConsentryError {
  constructor(step: number, message: string) {
    super('SCENARIO_STEP_FAILED', message, { context: { step } });
  }
}

export class ScenarioInterruptedError extends ConsentryError {
  constructor() {
    super('SCENARIO_INTERRUPTED', 'the scenario was interrupted');
  }
}

/** Sleeps, waking early (with an error) when the run is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ScenarioInterruptedError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ScenarioInterruptedError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Reads the UI until `test` returns a value or `timeoutMs` passes (at least one read). Every
 * tree read is offered to `onTree` first (the watchers note dialogs and exits).
 */
export async function pollTree<T>(
  ctx: StepContext,
  timeoutMs: number,
  test: (read: { xml: string; tree: UiTree; t: number }) => T | undefined,
  onTree?: (read: { xml: string; tree: UiTree; t: number }) => Promise<void>,
): Promise<{ value: T; read: { xml: string; tree: UiTree; t: number } } | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await ctx.recorder.readTree();
    rememberAppScreen(ctx, read);
    if (onTree) await onTree(read);
    const value = test(read);
    if (value !== undefined) return { value, read };
    if (Date.now() + ctx.pollMs > deadline) return undefined;
    await sleep(ctx.pollMs, ctx.signal);
  }
}

/** Keeps the app's latest own screen: purpose text shown there counts for the next prompt. */
export function rememberAppScreen(ctx: StepContext, read: { tree: UiTree; t: number }): void {
  if (dominantPackage(read.tree) !== ctx.appPackage) return;
  if (detectPermissionPrompt(read.tree, { appPackage: ctx.appPackage })) return;
  ctx.state.lastAppTree = { tree: read.tree, t: read.t };
}

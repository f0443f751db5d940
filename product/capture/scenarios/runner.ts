import type { BundleWriter } from '../../evidence/bundle/writer.js';
import { ConsentryError, errorMessage } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { assertPackageName } from '../../core/untrusted.js';
import type { ConsentOverrides } from './consent-detector.js';
import type { Scenario, Step } from './definitions.js';
import type { DeviceShell } from './device-shell.js';
import { explainStep } from './explain.js';
import { EvidenceRecorder } from './recorder.js';
import { background, foreground, kill, launch, reinstall, resetData } from './steps/app-lifecycle.js';
import { newRunState, ScenarioInterruptedError, StepFailedError, type RunState, type StepContext } from './steps/step-context.js';
import { consent } from './steps/consent.js';
import { expectStep, observe } from './steps/observe-expect.js';
import { findPolicy } from './steps/find-policy.js';
import { permission } from './steps/permission.js';
import { dismissPopups } from './steps/popups.js';
import { back, home, scroll, tap, type } from './steps/ui-actions.js';
import { noteScreen } from './steps/watch.js';
import type { UiDriver } from './ui-session.js';

/**
 * Plays a scenario on one leased device: each step through its handler, each bracketed by a
 * `step` marker (t, tEnd) and followed by a UI snapshot. A step that cannot do what it says is
 * recorded and the run goes on (the bundle is still evidence); a lost session or device ends
 * the run with outcome `failed` and the reason.
 */

export interface ScenarioRunOptions {
  /** The leased device: serial and adb shell. */
  device: DeviceShell;
  /** The Appium session of the lease. */
  driver: UiDriver;
  writer: BundleWriter;
  appPackage: string;
  /** host - device, ms, measured at lease time (DeviceLease.clockOffsetMs). */
  clockOffsetMs?: number;
  /** Launcher activity from static facts, for `launch: { via: am }`. */
  launchActivity?: string;
  /** Fresh install of the app under test (uninstall + install of its APK(s)). */
  reinstall?: () => Promise<void>;
  /** Per-app consent selectors, e.g. from the app's config. */
  consentOverrides?: ConsentOverrides;
  /** Time between UI reads while waiting for something. */
  pollMs?: number;
  /**
   * Multiplies the waits for things that may not come (an optional permission prompt, a dialog
   * after a press). Below 1 for tests and demos on the virtual device; default 1.
   */
  waitScale?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /** Told before each step starts (the live progress view shows it). */
  onStep?: (index: number, label: string) => void;
}

export type StepOutcome = 'ok' | 'failed' | 'interrupted' | 'error';

export interface StepResult {
  index: number;
  kind: Step['kind'];
  explain: string;
  t: number;
  tEnd: number;
  outcome: StepOutcome;
  detail: string;
  part?: string;
}

export interface ScenarioResult {
  scenario: string;
  /** complete: every step ran (some may have failed); failed: the run could not go on. */
  outcome: 'complete' | 'failed' | 'interrupted';
  reason?: string;
  /** The error that stopped a failed run, for callers that classify it (never shown as is). */
  cause?: unknown;
  steps: StepResult[];
  failedSteps: number;
}

export class ScenarioRunner {
  private readonly logger: Logger;
  private readonly recorder: EvidenceRecorder;
  private readonly state: RunState = newRunState();
  private index = 0;
  private readonly results: StepResult[] = [];

  constructor(private readonly options: ScenarioRunOptions) {
    assertPackageName(options.appPackage);
    this.logger = (options.logger ?? silentLogger()).child({ serial: options.device.serial, app: options.appPackage });
    this.recorder = new EvidenceRecorder(options.writer, options.driver, options.clockOffsetMs ?? 0, this.logger);
  }

  async run(scenario: Scenario): Promise<ScenarioResult> {
    const end = this.options.writer.phase(`scenario:${scenario.id}`);
    let outcome: ScenarioResult['outcome'] = 'complete';
    let reason: string | undefined;
    let cause: unknown;
    try {
      await this.playAll(scenario.steps, undefined);
    } catch (e) {
      if (e instanceof ScenarioInterruptedError) {
        outcome = 'interrupted';
        reason = 'interrupted';
      } else {
        outcome = 'failed';
        cause = e;
        reason = `step ${this.index}: ${errorMessage(e)}`;
        this.logger.error({ err: errorMessage(e), step: this.index }, 'scenario stopped');
        this.tryMarker('note', `scenario stopped: ${reason}`);
      }
    } finally {
      end();
    }
    const failedSteps = this.results.filter((r) => r.outcome === 'failed').length;
    return { scenario: scenario.id, outcome, ...(reason ? { reason } : {}), ...(cause !== undefined ? { cause } : {}), steps: this.results, failedSteps };
  }

  private async playAll(steps: Step[], part: string | undefined): Promise<void> {
    for (const step of steps) {
      if (this.options.signal?.aborted) throw new ScenarioInterruptedError();
      await this.play(step, part);
    }
  }

  private async play(step: Step, part: string | undefined): Promise<void> {
    if (step.kind === 'repeat') {
      for (let i = 0; i < step.times; i += 1) await this.playAll(step.steps, part);
      return;
    }
    if (step.kind === 'part') {
      const t = this.recorder.time();
      const index = ++this.index;
      try {
        await this.playAll(step.steps, step.name);
      } finally {
        this.tryMarker('step', `part "${step.name}"`, { step: index, t, tEnd: this.recorder.time(), data: { kind: 'part', part: step.name, ...(step.include ? { include: step.include } : {}) } });
      }
      return;
    }
    const index = ++this.index;
    const explain = explainStep(step);
    this.options.onStep?.(index, part ? `${part}: ${step.kind}` : step.kind);
    const ctx = this.context(index);
    const t = this.recorder.time();
    let outcome: StepOutcome = 'ok';
    let detail: string;
    try {
      detail = await this.handle(step, ctx);
    } catch (e) {
      if (e instanceof StepFailedError) {
        outcome = 'failed';
        detail = e.message;
      } else {
        outcome = e instanceof ScenarioInterruptedError ? 'interrupted' : 'error';
        detail = errorMessage(e);
        this.finishStep(index, step, explain, t, outcome, detail, part);
        throw e;
      }
    }
    // The state after the step, for the report and for the watcher (an app that quit).
    let ui: string | undefined;
    try {
      const read = await this.recorder.readTree();
      const noticed = await noteScreen(ctx, read);
      ui = (noticed.snapshot ?? (await this.recorder.snapshot(index, `after-${step.kind}`, read))).id;
    } catch (e) {
      if (!(e instanceof ConsentryError) || e.code !== 'SCENARIO_INTERRUPTED') throw e;
    }
    this.finishStep(index, step, explain, t, outcome, detail, part, ui);
  }

  private finishStep(index: number, step: Step, explain: string, t: number, outcome: StepOutcome, detail: string, part: string | undefined, ui?: string): void {
    const tEnd = this.recorder.time();
    this.results.push({ index, kind: step.kind, explain, t, tEnd, outcome, detail, ...(part ? { part } : {}) });
    this.tryMarker('step', `${step.kind}: ${explain}`, {
      step: index,
      t,
      tEnd,
      ...(ui ? { ui } : {}),
      data: { kind: step.kind, outcome, detail: detail.slice(0, 500), ...(part ? { part } : {}) },
    });
    this.logger.info({ step: index, kind: step.kind, outcome, detail }, 'step');
  }

  private tryMarker(...args: Parameters<EvidenceRecorder['marker']>): void {
    try {
      this.recorder.marker(...args);
    } catch (e) {
      this.logger.warn({ err: errorMessage(e) }, 'could not write a marker');
    }
  }

  private context(step: number): StepContext {
    const o = this.options;
    return {
      driver: o.driver,
      shell: o.device,
      recorder: this.recorder,
      appPackage: o.appPackage,
      logger: this.logger,
      overrides: o.consentOverrides,
      launchActivity: o.launchActivity,
      reinstall: o.reinstall,
      pollMs: o.pollMs ?? 500,
      waitScale: o.waitScale ?? 1,
      signal: o.signal,
      state: this.state,
      step,
    };
  }

  private handle(step: Exclude<Step, { kind: 'repeat' | 'part' }>, ctx: StepContext): Promise<string> {
    switch (step.kind) {
      case 'launch':
      case 'relaunch':
        return launch(ctx, step);
      case 'observe':
        return observe(ctx, step);
      case 'consent':
        return consent(ctx, step);
      case 'permission':
        return permission(ctx, step);
      case 'dismiss-popups':
        return dismissPopups(ctx, step);
      case 'find-policy':
        return findPolicy(ctx, step);
      case 'tap':
        return tap(ctx, step);
      case 'type':
        return type(ctx, step);
      case 'scroll':
        return scroll(ctx, step);
      case 'back':
        return back(ctx);
      case 'home':
        return home(ctx);
      case 'background':
        return background(ctx);
      case 'foreground':
        return foreground(ctx, step);
      case 'kill':
        return kill(ctx);
      case 'reset-data':
        return resetData(ctx);
      case 'reinstall':
        return reinstall(ctx);
      case 'expect':
        return expectStep(ctx, step);
    }
  }
}

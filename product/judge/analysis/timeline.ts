import type { Marker, RunMeta } from '../../contracts/bundle-schema.js';

/**
 * `unknown`: the scenario looked for the consent dialog and did not find it, and then acted on the
 * screen (a tap, Back, a pop-up dismissed...). An unrecognised dialog may have been answered by
 * that act, so what follows is neither "before consent" nor "after refusal" (verdict.ts).
 */
export type ConsentState = 'pending' | 'accepted' | 'refused' | 'unknown';

/**
 * Scenario steps that are a person asking the app for something (not waiting, checking, or
 * answering a consent or permission prompt: agreeing to a policy is not asking for a download or
 * for another app to open).
 */
const USER_STEP_ACTIONS = new Set(['launch', 'relaunch', 'tap', 'type', 'scroll', 'back', 'home', 'foreground', 'background', 'swipe']);

/**
 * User acts on the app's own screen: the only ones that can ask it to open another app or start a
 * download (START-SELF, DOWNLOAD-DECEPTIVE). Starting the app, Home and Back ask for neither.
 */
const INTERACTION_STEP_ACTIONS = new Set(['tap', 'type', 'scroll', 'swipe']);
const NOT_INTERACTION_USER_ACTIONS = new Set(['home', 'back', 'launch', 'relaunch', 'foreground', 'background']);

/**
 * The scenario writes consent.accepted/refused once the dialog has gone, a moment after the
 * press; the app reacts to the press itself. Within the consent step, the state changes this
 * long before the marker at most (a marker may carry the press time as `data.tPressed`).
 */
const CONSENT_MARKER_LAG_MS = 5_000;

/**
 * Hook events reach the host clock through the device clock offset measured over adb, which is
 * good to half an adb round trip (tens of ms). A read this close before a recorded press is not
 * taken as before it: the app may have reacted to the press itself.
 */
const PRESS_CLOCK_TOLERANCE_MS = 250;

/** Steps that touch the app's screen and could answer a dialog the detector did not recognise. */
const SCREEN_ACTING_STEP_ACTIONS = new Set(['tap', 'type', 'scroll', 'swipe', 'back', 'dismiss-popups', 'find-policy']);

/** Steps after which the app starts from a clean state: a new install, or its data cleared. */
const RESET_STEP_ACTIONS = new Set(['reinstall', 'reset-data', 'install']);
const STOPPING_STEP_ACTIONS = new Set(['relaunch', 'kill', 'reinstall', 'reset-data', 'install']);

function stepAction(m: Marker): string {
  for (const key of ['kind', 'action']) {
    const v = m.data?.[key];
    if (typeof v === 'string') return v;
  }
  return (m.label.split(/[\s:(]/)[0] ?? '').toLowerCase();
}

/**
 * The bundle's markers read as a story: which part of the run an instant belongs to (a fresh
 * install or cleared data starts a new segment, since consent and permissions start over), the
 * consent state at that instant, the launch it follows, and whether the app was in the background.
 */
export class Timeline {
  readonly markers: readonly Marker[];
  private readonly boundaries: number[];

  constructor(
    markers: readonly Marker[],
    private readonly run: RunMeta,
  ) {
    this.markers = [...markers].sort((a, b) => a.t - b.t || a.id.localeCompare(b.id));
    // A fresh state starts when the install (or data reset) has happened, not when the step that
    // asks for it starts: the old process may still collect during the step, under the old consent.
    const installs = this.markers.filter((m) => m.kind === 'app.install');
    const resets = this.markers
      .filter((m) => m.kind === 'step' && RESET_STEP_ACTIONS.has(stepAction(m)))
      .filter((step) => !installs.some((i) => i.t >= step.t && i.t <= (step.tEnd ?? step.t)))
      .map((step) => step.tEnd ?? step.t);
    this.boundaries = [...installs.map((m) => m.t), ...resets].sort((a, b) => a - b);
  }

  /**
   * True when the scenario itself stopped the app at this instant (a relaunch, kill, reinstall or
   * data reset step was under way): such an exit is ours, not the app closing itself.
   */
  stoppedByScenario(t: number, graceMs = 500): boolean {
    return this.markers.some(
      (m) => m.kind === 'step' && STOPPING_STEP_ACTIONS.has(stepAction(m)) && t >= m.t && t <= (m.tEnd ?? m.t) + graceMs,
    );
  }

  /** 0 for the first segment, +1 after each reinstall or data reset. */
  segmentOf(t: number): number {
    let n = 0;
    for (const b of this.boundaries) if (b <= t) n += 1;
    return n;
  }

  segmentStart(segment: number): number {
    return segment === 0 ? this.run.startedAt : this.boundaries[segment - 1]!;
  }

  segmentEnd(segment: number): number {
    return this.boundaries[segment] ?? Number.POSITIVE_INFINITY;
  }

  segmentCount(): number {
    return this.boundaries.length + 1;
  }

  /** Markers of the kinds given, in the same segment as `t`, at or before `t`. */
  before(t: number, kinds: readonly Marker['kind'][]): Marker[] {
    const seg = this.segmentOf(t);
    return this.markers.filter((m) => m.t <= t && kinds.includes(m.kind) && this.segmentOf(m.t) === seg);
  }

  inSegment(segment: number, kinds?: readonly Marker['kind'][]): Marker[] {
    return this.markers.filter((m) => this.segmentOf(m.t) === segment && (!kinds || kinds.includes(m.kind)));
  }

  ofKind(...kinds: Marker['kind'][]): Marker[] {
    return this.markers.filter((m) => kinds.includes(m.kind));
  }

  consentAt(t: number): { state: ConsentState; marker?: Marker } {
    const seg = this.segmentOf(t);
    let last: Marker | undefined;
    for (const m of this.markers) {
      if ((m.kind === 'consent.accepted' || m.kind === 'consent.refused') && this.effectiveTime(m) <= t && this.segmentOf(m.t) === seg) last = m;
    }
    if (!last) return this.answeredUnseen(t, seg) ? { state: 'unknown' } : { state: 'pending' };
    return { state: last.kind === 'consent.accepted' ? 'accepted' : 'refused', marker: last };
  }

  /**
   * True when, in this segment, the consent dialog was looked for and not found, and a step acted
   * on the screen before `t`: from then on the consent state cannot be told.
   */
  private answeredUnseen(t: number, seg: number): boolean {
    if (!this.markers.some((m) => m.kind === 'consent.not-found' && this.segmentOf(m.t) === seg)) return false;
    return this.markers.some(
      (m) =>
        m.t < t &&
        this.segmentOf(m.t) === seg &&
        (m.kind === 'user.action' || (m.kind === 'step' && SCREEN_ACTING_STEP_ACTIONS.has(stepAction(m)))),
    );
  }

  /** When a consent decision took effect: the press, not the moment the dialog was seen gone. */
  effectiveTime(m: Marker): number {
    const pressed = m.data?.tPressed;
    if (typeof pressed === 'number') return pressed - PRESS_CLOCK_TOLERANCE_MS;
    if (m.step === undefined) return m.t;
    const step = this.markers.find((s) => s.kind === 'step' && s.step === m.step && s.t <= m.t);
    return step ? Math.max(step.t, m.t - CONSENT_MARKER_LAG_MS) : m.t;
  }

  /** The launch an instant follows (in its segment), or the segment start. */
  launchBefore(t: number): { t: number; marker?: Marker } {
    const last = this.before(t, ['app.launch']).pop();
    return last ? { t: last.t, marker: last } : { t: this.segmentStart(this.segmentOf(t)) };
  }

  /** True while an `app.background` marker holds (until the next foreground, launch or exit). */
  inBackground(t: number): Marker | undefined {
    const last = this.before(t, ['app.background', 'app.foreground', 'app.launch', 'app.exit']).pop();
    return last?.kind === 'app.background' ? last : undefined;
  }

  isUserAction(m: Marker): boolean {
    if (m.kind === 'user.action') return true;
    return m.kind === 'step' && USER_STEP_ACTIONS.has(stepAction(m));
  }

  /** A tap, typing or scrolling on the app's screen (a user.action with no action named counts too). */
  isInteraction(m: Marker): boolean {
    if (m.kind === 'user.action') {
      const action = m.data?.action;
      return typeof action !== 'string' || !NOT_INTERACTION_USER_ACTIONS.has(action);
    }
    return m.kind === 'step' && INTERACTION_STEP_ACTIONS.has(stepAction(m));
  }

  /**
   * The last user action that started within `graceMs` before `t` (or is still running at `t`).
   * With `interaction`, only taps, typing and scrolling count: launching the app is not asking it
   * to open another app or download one.
   */
  userActionNear(t: number, graceMs: number, options: { interaction?: boolean } = {}): Marker | undefined {
    const counts = (m: Marker) => (options.interaction ? this.isInteraction(m) : this.isUserAction(m));
    return this.markers.filter((m) => counts(m) && m.t <= t && (m.t >= t - graceMs || (m.tEnd !== undefined && m.tEnd + graceMs >= t))).pop();
  }

  /** Permission name(s) a permission marker is about. */
  static permissionsOf(m: Marker): string[] {
    const d = m.data ?? {};
    const raw = [d.permission, d.permissions, d.name, d.group].find((v) => typeof v === 'string' && v.length > 0) as string | undefined;
    if (raw) return raw.split(/[,\s]+/).filter(Boolean);
    const fromLabel = /android\.permission\.[A-Z_]+/g.exec(m.label);
    return fromLabel ? [fromLabel[0]] : [];
  }
}

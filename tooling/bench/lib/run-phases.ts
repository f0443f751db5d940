import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUNDLE_FILES, Marker, RunMeta } from '../../../product/contracts/bundle-schema.js';
import type { RunEvent } from '../../../product/run/index.js';
import type { Step } from '../../../product/capture/scenarios/index.js';

/**
 * Where a run's wall time goes. runApp announces every phase with its duration (`phase` events);
 * run.json records the phases that happen while its bundle is open. Together with the wall time
 * they give the harness's own cost: what is left once the scenario's declared waits are taken out.
 */

/** Phases in the order runApp plays them; `teardown` is what no phase covers (teardown, release). */
export const PHASE_ORDER = [
  'intake',
  'policy',
  'lease',
  'capture-start',
  'prepare',
  'install',
  'logcat',
  'instrument',
  'scenario',
  'collect',
  'teardown',
  'rescan',
  'analyse',
  'report',
] as const;

/**
 * Phases that run alongside others (runApp starts the proxy while the device is prepared): only
 * the part of them no other phase covers is on the run's critical path.
 */
export const BACKGROUND_PHASES: ReadonlySet<string> = new Set(['capture-start']);

type Interval = [start: number, end: number];

/** Collects every phase runApp reports as time intervals (ms), repeats kept apart. */
export class PhaseRecorder {
  readonly events = new EventEmitter();
  private readonly intervals = new Map<string, Interval[]>();
  private readonly open = new Map<string, number[]>();

  constructor(private readonly now: () => number = () => performance.now()) {
    this.events.on('run', (e: RunEvent) => {
      if (e.type !== 'phase') return;
      const t = this.now();
      if (e.state === 'start') {
        this.open.set(e.phase, [...(this.open.get(e.phase) ?? []), t]);
        return;
      }
      const start = this.open.get(e.phase)?.pop() ?? t - (e.ms ?? 0);
      this.intervals.set(e.phase, [...(this.intervals.get(e.phase) ?? []), [start, t]]);
    });
  }

  /**
   * Each phase's time on the critical path (a background phase: only what no other phase
   * overlaps), plus `teardown`: the wall time no phase accounts for.
   */
  breakdown(wallMs: number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [phase, own] of this.intervals) {
      const others = [...this.intervals].filter(([p]) => p !== phase).flatMap(([, list]) => list);
      const total = coveredMs(own);
      out.set(phase, BACKGROUND_PHASES.has(phase) ? total - overlapMs(own, others) : own.reduce((sum, [a, b]) => sum + b - a, 0));
    }
    out.set('teardown', Math.max(0, wallMs - coveredMs([...this.intervals.values()].flat())));
    return out;
  }
}

/** Length of the union of intervals. */
function coveredMs(list: Interval[]): number {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...list].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

/** How much of `own`'s union the union of `others` also covers. */
function overlapMs(own: Interval[], others: Interval[]): number {
  return coveredMs(own) + coveredMs(others) - coveredMs([...own, ...others]);
}

export interface BundlePhases {
  outcome: string;
  /** Durations by phase name, ms. */
  phases: Map<string, number>;
  /** Inside the `scenario` phase (absent when the scenario did not start). */
  scenario?: ScenarioBreakdown;
}

export interface ScenarioBreakdown {
  /** From the scenario phase's start to the first step: opening the Appium session. */
  sessionOpenMs: number;
  /** From the end of the scenario's steps to the end of the phase: closing the session. */
  sessionCloseMs: number;
  /** Each played step (parts flattened), as its marker records it. */
  steps: { kind: string; ms: number }[];
}

/** Phase durations from a bundle's run.json (only the phases inside the bundle's lifetime). */
export function bundlePhases(bundleDir: string): BundlePhases {
  const run = RunMeta.parse(JSON.parse(readFileSync(join(bundleDir, BUNDLE_FILES.run), 'utf8')));
  const phases = new Map<string, number>();
  for (const p of run.phases) if (p.end !== undefined) phases.set(p.name, (phases.get(p.name) ?? 0) + (p.end - p.start));
  const outer = run.phases.find((p) => p.name === 'scenario');
  // The scenario runner records its own `scenario:<id>` phase around the steps.
  const inner = run.phases.find((p) => p.name.startsWith('scenario:'));
  if (!outer?.end || !inner?.end) return { outcome: run.outcome, phases };
  const steps = readFileSync(join(bundleDir, BUNDLE_FILES.markers), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => Marker.parse(JSON.parse(line)))
    .filter((m) => m.kind === 'step' && m.data?.kind !== 'part' && m.tEnd !== undefined)
    .map((m) => ({ kind: String(m.data?.kind ?? '?'), ms: m.tEnd! - m.t }));
  return {
    outcome: run.outcome,
    phases,
    scenario: { sessionOpenMs: inner.start - outer.start, sessionCloseMs: outer.end - inner.end, steps },
  };
}

/**
 * Seconds the scenario itself asks to wait: every `observe`, and the settle time after each
 * launch, relaunch and foreground (repeats expanded). No harness can finish faster than this.
 */
export function declaredWaitSeconds(steps: Step[]): number {
  return steps.reduce((sum, s) => {
    if (s.kind === 'observe') return sum + s.seconds;
    if (s.kind === 'launch' || s.kind === 'relaunch' || s.kind === 'foreground') return sum + s.settle;
    if (s.kind === 'repeat') return sum + s.times * declaredWaitSeconds(s.steps);
    if (s.kind === 'part') return sum + declaredWaitSeconds(s.steps);
    return sum;
  }, 0);
}

/** The steps a scenario plays, in order (repeats expanded, parts flattened), each with its declared wait. */
export function playedSteps(steps: Step[]): { kind: string; waitMs: number }[] {
  return steps.flatMap((s): { kind: string; waitMs: number }[] => {
    if (s.kind === 'repeat') return Array.from({ length: s.times }, () => playedSteps(s.steps)).flat();
    if (s.kind === 'part') return playedSteps(s.steps);
    return [{ kind: s.kind, waitMs: declaredWaitSeconds([s]) * 1000 }];
  });
}

import type { Marker } from '../../../contracts/bundle-schema.js';
import { hasHan, toSimplified } from '../../../core/chinese-script.js';
import { num, type FindingDraft, type Rule, type RuleContext, type RuleMeta } from '../rule.js';
import { seconds } from '../statements.js';
import { uiNodes } from '../ui-dump-nodes.js';

const SHOWN: Marker['kind'][] = ['consent.shown', 'consent.implicit', 'consent.accepted', 'consent.refused'];

/** Screen reads in the window it takes to call the dialog absent: one glance is not watching. */
const MIN_READS = 3;

/** Words of a privacy or terms text: a screen holding them may be a dialog the detector missed. */
const POLICY_WORDS = /隐私|协议|政策|条款|个人信息|privacy|policy|terms|consent/i;

export const meta: RuleMeta = {
  id: 'CONSENT-NO-DIALOG',
  title: 'No prominent privacy-policy prompt on first launch',
  severity: 'high',
  sources: ['RD 一.2', 'EU'],
  signal: 'no consent dialog detected in the first-launch window',
  thresholds: { windowSeconds: { default: 15, description: 'seconds after the first launch within which the prompt must appear' } },
  explain: (t) => `Fails when no privacy-policy prompt appears within ${t.windowSeconds} s of the first launch after an install.`,
};

/**
 * Judged per segment (each fresh install), in every scenario: the first launch must be followed
 * by a consent prompt within the window. A missing prompt is reported only when the window was
 * watched as a person would (the screen read at least MIN_READS times, up to the window's end,
 * by observe steps or a consent step that looked and found nothing), the app stayed on screen,
 * and nothing on it could be an unrecognised dialog (a pop-up, or policy wording). Otherwise the
 * rule says nothing: silence is not evidence of absence (verdict.ts reports the missing detection).
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowSeconds') * 1000;
    const out: FindingDraft[] = [];
    for (let seg = 0; seg < ctx.timeline.segmentCount(); seg += 1) {
      const launch = ctx.timeline.inSegment(seg, ['app.launch'])[0];
      if (!launch) continue;
      const end = launch.t + windowMs;
      const shown = ctx.timeline.inSegment(seg, SHOWN).find((m) => m.t >= launch.t);
      if (shown && shown.t <= end) continue;
      if (shown) {
        out.push({
          statement: `The ${ctx.wording.consentDialog} appeared only ${seconds(shown.t - launch.t)} after the first launch (limit ${num(ctx, 'windowSeconds')} s).`,
          t: launch.t,
          evidence: { markers: [launch.id, shown.id], ui: shown.ui ? [shown.ui] : [] },
        });
        continue;
      }
      const watch = watched(ctx, seg, launch, end);
      if (!watch) continue;
      out.push({
        statement: `No ${ctx.wording.consentDialog} appeared in the first ${num(ctx, 'windowSeconds')} s after the app was first launched (the screen was read ${watch.reads} times in that time and showed the app without any dialog).`,
        t: launch.t,
        evidence: { markers: [launch.id, ...watch.markers.map((m) => m.id)], ui: watch.ui },
      });
    }
    return out;
  },
};

/** The evidence that the window was watched with the app on screen and nothing dialog-like, or undefined. */
function watched(ctx: RuleContext, seg: number, launch: Marker, end: number): { reads: number; markers: Marker[]; ui: string[] } | undefined {
  const inWindow = (m: Marker) => m.t >= launch.t && m.t <= end;
  const segment = ctx.timeline.inSegment(seg);
  // The app left, crashed or covered itself with something the detector could not read.
  if (segment.some((m) => inWindow(m) && (m.kind === 'app.exit' || m.kind === 'app.crash' || m.kind === 'popup.shown'))) return undefined;
  const notFound = segment.filter((m) => m.kind === 'consent.not-found' && m.t >= launch.t);
  // The consent step's stored screen is what shows it found nothing to read: without it, or with
  // privacy wording on it, the step's silence proves nothing.
  if (notFound.some((m) => !m.ui || !ctx.uiTrees.has(m.ui) || mayHoldDialog(ctx.uiTrees.get(m.ui)))) return undefined;
  let reads = 0;
  let reachedEnd = false;
  const steps: Marker[] = [];
  for (const step of segment.filter((m) => m.kind === 'step' && m.t >= launch.t && m.t <= end)) {
    const tEnd = step.tEnd ?? step.t;
    const overlap = Math.min(tEnd, end) - step.t;
    const span = Math.max(1, tEnd - step.t);
    let stepReads: number | undefined;
    if (step.data?.kind === 'observe') stepReads = screenReads(step);
    // A consent step that found nothing read the screen over and over for its whole span.
    else if (step.data?.kind === 'consent' && notFound.some((m) => m.step === step.step)) stepReads = Math.max(MIN_READS, Math.floor(span / 1000));
    if (!stepReads) continue;
    reads += Math.floor((stepReads * Math.max(0, overlap)) / span);
    if (tEnd >= end) reachedEnd = true;
    steps.push(step);
  }
  if (!reachedEnd || reads < MIN_READS) return undefined;
  const ui = [...new Set([...notFound, ...steps].flatMap((m) => (m.ui ? [m.ui] : [])))];
  return { reads, markers: [...steps, ...notFound], ui };
}

/** Screen reads of an observe step: `data.screenReads`, or the count its detail states. */
function screenReads(step: Marker): number | undefined {
  const n = step.data?.screenReads;
  if (typeof n === 'number') return n;
  const detail = typeof step.data?.detail === 'string' ? step.data.detail : step.label;
  const m = /\((\d+) screen reads?\)/.exec(detail);
  return m ? Number(m[1]) : undefined;
}

/** Whether a stored screen holds privacy or terms wording: then the detector may have missed a dialog. */
function mayHoldDialog(xml: string | undefined): boolean {
  if (!xml) return true;
  return uiNodes(xml).some((n) => {
    const text = `${n.text} ${n.desc}`;
    return POLICY_WORDS.test(hasHan(text) ? toSimplified(text) : text);
  });
}

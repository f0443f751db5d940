import { z } from 'zod';
import type { Bundle } from '../../evidence/bundle/reader.js';
import type { Finding, Verdict } from '../../contracts/bundle-schema.js';
import type { RuleRun } from './engine.js';
import { printable } from '../../core/untrusted.js';
import { seconds } from './statements.js';

/** How soon after launch a crash counts as "crashed on launch". */
const CRASH_ON_LAUNCH_MS = 10_000;

/**
 * What the run could not see. Each reason is a sentence for the report; any of them makes a run
 * without findings inconclusive, so a lab never reads "no finding" as "compliant" when the tool
 * was blind (../shared/rules.md, last paragraph).
 */
export function coverageReasons(bundle: Pick<Bundle, 'run' | 'markers' | 'flows'>, notJudged: RuleRun['notJudged']): string[] {
  const { run, markers, flows } = bundle;
  const reasons: string[] = [];
  if (run.outcome === 'failed') reasons.push(`the run failed${run.outcomeReason ? `: ${run.outcomeReason}` : ''}`);
  if (run.outcome === 'interrupted') reasons.push('the run was interrupted before it finished');
  if (run.outcome === 'running') reasons.push('the capture stopped unexpectedly (the bundle was never finished)');
  const cov = run.coverage;
  const died = markers.find((m) => m.kind === 'instrumentation.died');
  if (cov.instrumentation === 'unavailable') reasons.push(`instrumentation was unavailable, so API calls were not observed${cov.instrumentationNote ? ` (${cov.instrumentationNote})` : ''}`);
  else if (cov.instrumentation === 'died' || died) {
    reasons.push(`instrumentation died${died ? ` ${seconds(Math.max(0, died.t - run.startedAt))} into the run` : ''}, so later API calls were not observed`);
  }
  const tlsFailed = Math.max(cov.tlsFailures ?? 0, flows.filter((f) => f.tls?.error).length);
  const canary = canaryOf(cov);
  if (cov.traffic === 'unavailable') reasons.push('traffic was not captured');
  else if (canary === 'failed') reasons.push('the test request sent through the proxy from the device at preparation never arrived, so the traffic capture path is unproven');
  else if (flows.length === 0 && !capturePathProven(cov, tlsFailed, died !== undefined)) reasons.push('no network traffic was captured');
  if (tlsFailed > 0) reasons.push(`TLS was not intercepted for ${tlsFailed} connection${tlsFailed > 1 ? 's' : ''} (certificate pinning or an untrusted CA), so their contents were not seen`);
  const launches = markers.filter((m) => m.kind === 'app.launch');
  const crash = markers.find((m) => m.kind === 'app.crash' && launches.some((l) => m.t >= l.t && m.t - l.t <= CRASH_ON_LAUNCH_MS));
  if (crash) reasons.push('the app crashed on launch');
  const notFound = consentNotFoundReason(markers);
  if (notFound) reasons.push(notFound);
  const policySearch = policySearchReason(markers);
  if (policySearch) reasons.push(policySearch);
  if (notJudged.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const n of notJudged) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), n.id]);
    for (const [reason, ids] of byReason) reasons.push(`${reason}: ${ids.join(', ')} not judged`);
  }
  return reasons;
}

type Coverage = Bundle['run']['coverage'];

/**
 * `coverage.canary`: a request the harness sends from the device through the proxy at
 * preparation (see the report of issue #19). Read leniently: older schemas do not declare it.
 */
function canaryOf(cov: Coverage): 'passed' | 'failed' | undefined {
  return cov.canary;
}

/**
 * Silence is evidence when the capture path was proven: a canary request arrived, or the proxy
 * was running (traffic active), no TLS handshake failed (so nothing was hidden by pinning or an
 * untrusted CA) and the hooks were attached the whole run. A compliant app that sends nothing
 * before consent is then judged on that silence instead of being called inconclusive.
 */
function capturePathProven(cov: Coverage, tlsFailed: number, instrumentationDied: boolean): boolean {
  if (canaryOf(cov) === 'passed') return true;
  return cov.traffic === 'active' && tlsFailed === 0 && cov.instrumentation === 'active' && !instrumentationDied;
}

/**
 * The consent dialog was looked for and not found (the consent step's `consent.not-found`).
 * What follows from it, decided here once for every rule:
 * - The accept/refuse step could not run, so collection "after refusal" and "after acceptance"
 *   was never tested: this reason stays, and a run with no other finding is inconclusive.
 * - Findings with their own evidence still fail the run. Collection before the first act on the
 *   screen is still before consent, whether the dialog was missing or merely unrecognised
 *   (nothing had been pressed): CONSENT-PRE-COLLECT keeps it. After a tap, Back or a dismissed
 *   pop-up an unrecognised dialog may have been answered, so the timeline calls the consent state
 *   `unknown` there (timeline.ts) and neither CONSENT-PRE-COLLECT nor CONSENT-AFTER-REFUSAL
 *   judges it.
 * - CONSENT-NO-DIALOG reports a missing dialog only when the first-launch window was watched
 *   and showed the app's own screen with nothing dialog-like on it; a screen holding policy
 *   wording or a pop-up the detector could not read is not judged (consent-no-dialog.ts).
 * - Rules that do not depend on the consent state (transport, scope, permission, start-up,
 *   integrity rules) are unaffected.
 */
function consentNotFoundReason(markers: Bundle['markers']): string | undefined {
  const notFound = markers.filter((m) => m.kind === 'consent.not-found');
  if (notFound.length === 0) return undefined;
  const actions = [...new Set(notFound.map((m) => m.data?.action).filter((a): a is string => a === 'accept' || a === 'refuse'))];
  const untested = actions.length === 0 ? '' : `, so collection after ${actions.map((a) => (a === 'refuse' ? 'refusal' : 'acceptance')).join(' and after ')} was not tested`;
  return `the consent dialog was not found${untested}`;
}

/**
 * A privacy-policy search that could not judge (POLICY-UNREACHABLE stays silent then): nothing
 * recognisable to tap on the main screen, the main screen covered, or the search lost its way.
 * None of it counts when another search of the run did judge.
 */
function policySearchReason(markers: Bundle['markers']): string | undefined {
  const searches = markers.filter((m) => typeof m.data?.policySearch === 'string');
  if (searches.length === 0 || searches.some((m) => m.data?.policySearch === 'found' || m.data?.policySearch === 'not-found')) return undefined;
  const last = searches[searches.length - 1]!;
  const why =
    last.data?.policySearch === 'no-entry'
      ? 'its main screen shows no privacy, about, settings or me entry the search recognises'
      : typeof last.data?.reason === 'string'
        ? last.data.reason
        : `the search ended "${String(last.data?.policySearch)}"`;
  return `the privacy-policy search could not judge whether the policy is reachable: ${why}`;
}

/** The part of static.json (AppFacts, written by app intake) the caveats read; older facts have no packers. */
const PackedStaticFacts = z.object({ packers: z.array(z.object({ name: z.string() })).max(50) });

/**
 * What the static facts say the run's evidence cannot cover. Unlike coverage reasons these do
 * not make the run blind (hooks and traffic see a packed app's real code once it is loaded),
 * so they are notes on the verdict, never a cause of "inconclusive".
 */
export function staticCaveats(staticFacts: unknown): string[] {
  const parsed = PackedStaticFacts.safeParse(staticFacts);
  if (!parsed.success || parsed.data.packers.length === 0) return [];
  const names = parsed.data.packers.map((p) => printable(p.name)).join(', ');
  return [
    `the app is packed by ${names}: its static SDK list covers only the protector's shell, not the SDKs in the encrypted code; ` +
      'runtime evidence (API hooks, traffic) still counts',
  ];
}

/** fail when a finding (other than info) stands; else inconclusive when the run was partly blind; else pass. */
export function decideVerdict(findings: Finding[], reasons: string[]): Verdict {
  if (findings.some((f) => f.severity !== 'info')) return 'fail';
  return reasons.length > 0 ? 'inconclusive' : 'pass';
}

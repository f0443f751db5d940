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
  if (cov.traffic === 'unavailable') reasons.push('traffic was not captured');
  else if (flows.length === 0) reasons.push('no network traffic was captured');
  const tlsFailed = Math.max(cov.tlsFailures ?? 0, flows.filter((f) => f.tls?.error).length);
  if (tlsFailed > 0) reasons.push(`TLS was not intercepted for ${tlsFailed} connection${tlsFailed > 1 ? 's' : ''} (certificate pinning or an untrusted CA), so their contents were not seen`);
  const launches = markers.filter((m) => m.kind === 'app.launch');
  const crash = markers.find((m) => m.kind === 'app.crash' && launches.some((l) => m.t >= l.t && m.t - l.t <= CRASH_ON_LAUNCH_MS));
  if (crash) reasons.push('the app crashed on launch');
  if (markers.some((m) => m.kind === 'consent.not-found')) reasons.push('the consent dialog was not found');
  const policySearch = policySearchReason(markers);
  if (policySearch) reasons.push(policySearch);
  if (notJudged.length > 0) {
    const byReason = new Map<string, string[]>();
    for (const n of notJudged) byReason.set(n.reason, [...(byReason.get(n.reason) ?? []), n.id]);
    for (const [reason, ids] of byReason) reasons.push(`${reason}: ${ids.join(', ')} not judged`);
  }
  return reasons;
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

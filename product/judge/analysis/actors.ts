import type { Attribution, Flow, HookEvent, RunMeta } from '../../contracts/bundle-schema.js';
import type { SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { shortName } from '../policy/sdk-names.js';

/**
 * Who did it: the party behind a hook event (from its stack) or a flow (from its destination).
 * `key` groups observations of one actor: an SDK id, "first", or "unknown".
 */
export interface Actor {
  key: string;
  party: Attribution['party'];
  sdk?: string;
  vendor?: string;
  /** For sentences: "the Umeng SDK", "the app", "unidentified code (com.foo)". */
  label: string;
}

/** Frames of the platform and language runtimes: they never decide who called. */
const FRAMEWORK_PREFIXES = ['android.', 'androidx.', 'java.', 'javax.', 'kotlin.', 'kotlinx.', 'dalvik.', 'com.android.', 'libcore.', 'sun.', 'org.apache.http.', 'org.json.', 'com.google.android.gms.internal.'];

function frameClass(frame: string): string {
  return frame.trim().replace(/^at\s+/, '').replace(/\(.*$/, '').trim();
}

export function actorForSdk(catalogue: SdkCatalogue, id: string, fallbackName?: string): Actor {
  const entry = catalogue.byId(id);
  const name = entry ? shortName(entry) : (fallbackName ?? id);
  return { key: id, party: 'sdk', sdk: id, ...(entry ? { vendor: entry.vendor } : {}), label: `the ${name} SDK` };
}

export const FIRST_PARTY: Actor = { key: 'first', party: 'first', label: 'the app' };

/**
 * Attribution of a hook event. The capture stage usually sets `event.attribution`; older bundles
 * or other agents may not, so the stack is read here the same way (../shared/data-types.md,
 * "Attribution"): the first frame outside the framework and outside the app's own package decides.
 */
export function attributeEvent(event: HookEvent, appPackage: string, catalogue: SdkCatalogue): Actor {
  const a = event.attribution;
  if (a) {
    if (a.party === 'sdk' && a.sdk) return actorForSdk(catalogue, a.sdk);
    if (a.party === 'first') return FIRST_PARTY;
    return { key: 'unknown', party: a.party, label: a.basis ? `unidentified code (${a.basis})` : 'the app' };
  }
  let sawApp = false;
  for (const raw of event.stack) {
    const cls = frameClass(raw);
    if (!cls || FRAMEWORK_PREFIXES.some((p) => cls.startsWith(p))) continue;
    if (cls === appPackage || cls.startsWith(`${appPackage}.`)) {
      sawApp = true;
      continue;
    }
    const sdk = catalogue.sdkForClass(cls);
    if (sdk) return actorForSdk(catalogue, sdk.id);
    const prefix = cls.split('.').slice(0, 3).join('.');
    return { key: `code:${prefix}`, party: 'unknown', label: `unidentified third-party code (${prefix})` };
  }
  return sawApp || event.stack.length === 0 ? FIRST_PARTY : { key: 'unknown', party: 'system', label: 'the Android system' };
}

/** Domains of the app's publisher: configured ones plus the reversed package name (com.example.app → example.com). */
export function firstPartyDomains(run: RunMeta): string[] {
  const parts = run.app.package.split('.');
  const inferred = parts.length >= 2 ? [`${parts[1]}.${parts[0]}`] : [];
  return [...(run.app.firstPartyDomains ?? []), ...inferred].map((d) => d.toLowerCase());
}

export function hostMatches(host: string, domain: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return h === domain || h.endsWith(`.${domain}`);
}

/** Attribution of a flow by its destination: an SDK's domain, the publisher's, or unknown. */
export function attributeFlow(flow: Flow, run: RunMeta, catalogue: SdkCatalogue): Actor {
  const d = flow.destination;
  if (d?.party === 'sdk' && d.sdk) return actorForSdk(catalogue, d.sdk);
  if (d?.party === 'first') return FIRST_PARTY;
  const host = flow.server.host;
  const sdk = catalogue.sdkForHost(host);
  if (sdk) return actorForSdk(catalogue, sdk.id);
  if (firstPartyDomains(run).some((dom) => hostMatches(host, dom))) return FIRST_PARTY;
  return { key: 'unknown', party: 'unknown', label: 'the app' };
}

/** The organisation behind a host for recipient checks: registrable-ish domain (last two labels, three for co.uk-style). */
export function siteOf(host: string): string {
  const labels = host.toLowerCase().replace(/\.$/, '').split('.');
  if (labels.length <= 2 || /^\d+$/.test(labels[labels.length - 1]!)) return labels.join('.');
  const two = labels.slice(-2).join('.');
  return /^(?:com|net|org|gov|edu|co|ac)\.[a-z]{2}$/.test(two) ? labels.slice(-3).join('.') : two;
}

import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { bodyPath, type Bundle, type Flow } from '../../evidence/bundle/index.js';
import { loadSdkCatalogue, type SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import type { DeviceIdentifiers } from '../../contracts/bundle-schema.js';
import { DestinationAttributor } from './flow-attribution.js';
import { bodyRefinement, dedupeHits, IdentifierDetector } from './detect/identifier-detector.js';
import { header } from './flow-recorder.js';

/**
 * Offline re-analysis of a bundle's traffic: identifiers found again (with today's forms, or
 * with identifiers the agents observed during the run), destinations and origins attributed
 * again with today's SDK catalogue. Analysis calls this; it reads the bundle and nothing else.
 * Bodies are streamed from disk chunk by chunk; only a body with a hit is read whole (to name
 * the JSON path or field), and only up to `maxRefineBytes`.
 */

export interface AnalyseFlowsOptions {
  /** Extra identifiers (e.g. values the hooks observed) on top of RunMeta.identifiers. */
  extraIdentifiers?: DeviceIdentifiers;
  catalogue?: SdkCatalogue;
  maxRefineBytes?: number;
}

export interface TrafficSummary {
  flows: number;
  flowsWithHits: number;
  /** Connections the proxy could not decrypt: pinning, untrusted CA. Coverage, not silence. */
  tlsFailures: number;
  tlsFailureHosts: string[];
  /** data type → hosts it was sent to. */
  dataTypesByHost: Record<string, string[]>;
}

export async function analyseFlows(bundle: Bundle, options: AnalyseFlowsOptions = {}): Promise<Flow[]> {
  const identifiers = mergeIdentifiers(bundle.run.identifiers, options.extraIdentifiers ?? {});
  const detector = IdentifierDetector.fromIdentifiers(identifiers);
  const attributor = new DestinationAttributor({
    appPackage: bundle.run.app.package,
    ...(bundle.run.app.firstPartyDomains ? { firstPartyDomains: bundle.run.app.firstPartyDomains } : {}),
    catalogue: options.catalogue ?? loadSdkCatalogue(),
  });
  // Traffic before the app's first launch cannot be the app's (install, device set-up).
  const launches = bundle.markers.filter((m) => m.kind === 'app.launch').map((m) => m.t);
  const firstLaunch = launches.length > 0 ? Math.min(...launches) : -Infinity;
  const out: Flow[] = [];
  for (const flow of bundle.flows) {
    const hits = flow.request ? await scanStoredRequest(bundle.dir, flow, detector, options.maxRefineBytes ?? 8 * 1024 * 1024) : [];
    const known = flow.origin.uid !== undefined || flow.origin.package ? { ...(flow.origin.uid !== undefined ? { uid: flow.origin.uid } : {}), ...(flow.origin.package ? { package: flow.origin.package } : {}) } : undefined;
    let origin = attributor.origin(flow.server.host, known);
    if (origin.tag === 'unknown' && flow.t < firstLaunch) origin = { tag: 'system' };
    out.push({ ...flow, hits, destination: attributor.destination(flow.server.host), origin });
  }
  return out;
}

async function scanStoredRequest(dir: string, flow: Flow, detector: IdentifierDetector, maxRefineBytes: number) {
  const req = flow.request!;
  // URL, headers and cookies: small, scanned in memory exactly as at capture time.
  const hits = detector.scanRequest({ url: req.url, headers: req.headers });
  const contentType = header(req.headers, 'content-type');
  if (req.body.sha256) {
    const file = bodyPath(dir, req.body.sha256);
    if (existsSync(file)) {
      const container = detector.container('body');
      if (req.body.size <= maxRefineBytes) {
        // Small enough to refine: the whole body in memory, as at capture time, so an encoded
        // layer that starts late in the body is judged as it was then.
        const whole = await readFile(file);
        container.write(whole);
        const rawHit = container.settle();
        const [leaves, probe] = bodyRefinement(whole, contentType);
        hits.push(...(rawHit || probe.always ? container.finish(leaves, probe) : container.finish()));
      } else {
        // Larger bodies stream through the raw scan only, in bounded memory.
        for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) container.write(chunk as Buffer);
        container.settle();
        hits.push(...container.finish());
      }
    }
  }
  let i = 0;
  for (const message of flow.websocket ?? []) {
    if (!message.fromClient) continue;
    const index = i++;
    if (!message.sha256) continue;
    const file = bodyPath(dir, message.sha256);
    if (!existsSync(file)) continue;
    const bytes = await readFile(file);
    hits.push(...detector.scanRequest({ websocket: [bytes] }).map((h) => ({ ...h, location: h.location.replace(/^ws:0/, `ws:${index}`) })));
  }
  return dedupeHits(hits);
}

export function summariseTraffic(flows: readonly Flow[]): TrafficSummary {
  const dataTypesByHost: Record<string, Set<string>> = {};
  const tlsHosts = new Set<string>();
  let tlsFailures = 0;
  let flowsWithHits = 0;
  for (const flow of flows) {
    if (flow.tls?.error) {
      tlsFailures += 1;
      tlsHosts.add(flow.server.host);
    }
    if (flow.hits.length > 0) flowsWithHits += 1;
    for (const hit of flow.hits) (dataTypesByHost[hit.dataType] ??= new Set()).add(flow.server.host);
  }
  return {
    flows: flows.length,
    flowsWithHits,
    tlsFailures,
    tlsFailureHosts: [...tlsHosts].sort(),
    dataTypesByHost: Object.fromEntries(Object.entries(dataTypesByHost).map(([k, v]) => [k, [...v].sort()])),
  };
}

function mergeIdentifiers(a: DeviceIdentifiers, b: DeviceIdentifiers): DeviceIdentifiers {
  const out: DeviceIdentifiers = { ...a };
  for (const [k, values] of Object.entries(b) as [keyof DeviceIdentifiers, string[] | undefined][]) {
    out[k] = [...new Set([...(out[k] ?? []), ...(values ?? [])])];
  }
  return out;
}

import type { Bundle } from '../../evidence/bundle/reader.js';
import type { Flow } from '../../contracts/bundle-schema.js';
import { DATA_TYPE_IDS, type DataTypeId } from '../../contracts/data-types.js';
import type { SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { attributeEvent, attributeFlow, type Actor } from './actors.js';
import type { ConsentState, Timeline } from './timeline.js';
import { withSdkLabel } from './statements.js';

/**
 * One act of collection: a hook event that read (or tried to read) a data type, or a flow that
 * carried one or more of the device's identifiers. Everything a rule needs to place it: who,
 * when relative to consent and launch, in the foreground or not, and where it went.
 */
export interface Collection {
  kind: 'event' | 'flow';
  /** Event id or flow id. */
  id: string;
  t: number;
  dataTypes: DataTypeId[];
  actor: Actor;
  /** For events: whether the API returned or threw (a throw is still an attempt). */
  outcome?: 'returned' | 'threw';
  api?: string;
  /** Calls this record stands for (sampled storms). */
  count: number;
  /** For flows: the server host and scheme. */
  host?: string;
  scheme?: Flow['scheme'];
  segment: number;
  consent: ConsentState;
  /** Id of the consent marker in force, if any. */
  consentMarker?: string;
  background: boolean;
  sinceLaunchMs: number;
}

export interface DataTypeSummary {
  dataType: DataTypeId;
  calls: number;
  events: number;
  flows: number;
  actors: string[];
  hosts: string[];
  firstT: number;
  beforeConsent: number;
  afterRefusal: number;
  inBackground: number;
}

export interface Observations {
  collections: Collection[];
  byDataType: DataTypeSummary[];
}

const isDataType = (v: string): v is DataTypeId => (DATA_TYPE_IDS as readonly string[]).includes(v);

/** How long after a read a flow carrying the same data type is tied to the reader. */
const FLOW_LINK_WINDOW_MS = 120_000;

export function observe(bundle: Pick<Bundle, 'run' | 'events' | 'flows'>, timeline: Timeline, catalogue: SdkCatalogue): Observations {
  const run = bundle.run;
  const place = (t: number) => {
    const consent = timeline.consentAt(t);
    return {
      segment: timeline.segmentOf(t),
      consent: consent.state,
      ...(consent.marker ? { consentMarker: consent.marker.id } : {}),
      background: timeline.inBackground(t) !== undefined,
      sinceLaunchMs: Math.max(0, t - timeline.launchBefore(t).t),
    };
  };
  const collections: Collection[] = [];
  const events = [...bundle.events].sort(byTimeThenId);
  for (const e of events) {
    if (!isDataType(e.dataType)) continue;
    collections.push({
      kind: 'event',
      id: e.id,
      t: e.t,
      dataTypes: [e.dataType],
      actor: withSdkLabel(attributeEvent(e, run.app.package, catalogue)),
      outcome: e.outcome.kind,
      api: e.api,
      count: e.sampled?.count ?? 1,
      ...place(e.t),
    });
  }
  for (const f of [...bundle.flows].sort(byTimeThenId)) {
    if (f.origin.tag === 'system') continue;
    const types = [...new Set(f.hits.map((h) => h.dataType))].sort();
    if (types.length === 0) continue;
    let actor = withSdkLabel(attributeFlow(f, run, catalogue));
    // A flow to a host no catalogue knows is tied to whoever last read what it carries.
    if (actor.key === 'unknown') actor = readerOf(collections, types, f.t) ?? actor;
    collections.push({ kind: 'flow', id: f.id, t: f.t, dataTypes: types, actor, count: 1, host: f.server.host, scheme: f.scheme, ...place(f.t) });
  }
  collections.sort(byTimeThenId);
  return { collections, byDataType: summarise(collections) };
}

function readerOf(collections: Collection[], types: DataTypeId[], t: number): Actor | undefined {
  for (let i = collections.length - 1; i >= 0; i -= 1) {
    const c = collections[i]!;
    if (c.kind === 'event' && c.t <= t && t - c.t <= FLOW_LINK_WINDOW_MS && c.dataTypes.some((d) => types.includes(d))) return c.actor;
  }
  return undefined;
}

function summarise(collections: Collection[]): DataTypeSummary[] {
  const map = new Map<DataTypeId, DataTypeSummary>();
  for (const c of collections) {
    for (const dataType of c.dataTypes) {
      const s = map.get(dataType) ?? { dataType, calls: 0, events: 0, flows: 0, actors: [], hosts: [], firstT: c.t, beforeConsent: 0, afterRefusal: 0, inBackground: 0 };
      if (c.kind === 'event') {
        s.events += 1;
        s.calls += c.count;
      } else s.flows += 1;
      if (!s.actors.includes(c.actor.label)) s.actors.push(c.actor.label);
      if (c.host && !s.hosts.includes(c.host)) s.hosts.push(c.host);
      if (c.consent === 'pending') s.beforeConsent += 1;
      if (c.consent === 'refused') s.afterRefusal += 1;
      if (c.background) s.inBackground += 1;
      map.set(dataType, s);
    }
  }
  return [...map.values()].sort((a, b) => a.dataType.localeCompare(b.dataType));
}

export function byTimeThenId<T extends { t: number; id: string }>(a: T, b: T): number {
  return a.t - b.t || a.id.localeCompare(b.id, 'en', { numeric: true });
}


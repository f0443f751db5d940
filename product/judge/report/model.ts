import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bodyPath, type Bundle } from '../../evidence/bundle/index.js';
import type { Finding, FindingsDoc, Flow, HookEvent, Marker, UiSnapshot } from '../../contracts/bundle-schema.js';
import { DATA_TYPE_LABELS, type DataTypeId } from '../../contracts/data-types.js';

/**
 * Everything a report shows, resolved from one bundle: the verdict, each finding with its
 * evidence records looked up by id, and the timeline. Renderers (HTML, JSON, JUnit, SARIF,
 * CSV) read this model and nothing else.
 */
export interface ResolvedFinding extends Finding {
  index: number;
  events: HookEvent[];
  flows: FlowEvidence[];
  markers: Marker[];
  ui: UiSnapshot[];
}

export interface FlowEvidence {
  flow: Flow;
  /** Decoded request body as text (capped) when it is stored and textual. */
  requestBody?: string;
}

export interface TimelineMark {
  t: number;
  lane: 'scenario' | 'consent' | 'permission' | 'lifecycle' | 'events' | 'flows';
  label: string;
  party: 'first' | 'sdk' | 'system' | 'unknown' | 'none';
  sdk?: string;
  tEnd?: number;
  /** Id of the record, to link from the chart to the evidence. */
  ref: string;
  highlight: boolean;
}

export interface ReportModel {
  runId: string;
  app: Bundle['run']['app'];
  device: Bundle['run']['device'];
  scenario: string;
  startedAt: number;
  endedAt: number;
  outcome: Bundle['run']['outcome'];
  outcomeReason?: string;
  incomplete: boolean;
  verdict: FindingsDoc['verdict'] | 'not-analysed';
  reasons: string[];
  ruleSet: string;
  findings: ResolvedFinding[];
  counts: { events: number; flows: number; flowsWithPersonalData: number; tlsFailures: number; markers: number };
  /** When consent was accepted (host ms), if it was. */
  consentAt?: number;
  /**
   * Stretches of the run with no consent given: from the start, and from each fresh install
   * (consent starts over), to the next acceptance or the end of that install.
   */
  preConsent: { start: number; end: number; accepted: boolean }[];
  timeline: TimelineMark[];
  tools: Record<string, string>;
  bundleDir: string;
}

const LANE_OF: Partial<Record<Marker['kind'], TimelineMark['lane']>> = {
  step: 'scenario',
  'consent.shown': 'consent',
  'consent.accepted': 'consent',
  'consent.refused': 'consent',
  'consent.not-found': 'consent',
  'consent.implicit': 'consent',
  'permission.requested': 'permission',
  'permission.granted': 'permission',
  'permission.denied': 'permission',
  'permission.purpose-shown': 'permission',
  // What the harness says about the run (the Appium session, teardown, a stopped scenario).
  note: 'scenario',
};

const MAX_BODY_CHARS = 16_384;

export function buildReportModel(bundle: Bundle, findings: FindingsDoc | undefined): ReportModel {
  const eventsById = new Map(bundle.events.map((e) => [e.id, e]));
  const flowsById = new Map(bundle.flows.map((f) => [f.id, f]));
  const markersById = new Map(bundle.markers.map((m) => [m.id, m]));
  const uiById = new Map(bundle.ui.map((u) => [u.id, u]));
  const evidenceIds = new Set<string>();

  const resolved = (findings?.findings ?? []).map((f, index): ResolvedFinding => {
    for (const id of [...f.evidence.events, ...f.evidence.flows]) evidenceIds.add(id);
    return {
      ...f,
      index,
      events: pick(f.evidence.events, eventsById),
      flows: pick(f.evidence.flows, flowsById).map((flow) => ({ flow, requestBody: readTextBody(bundle.dir, flow) })),
      markers: pick(f.evidence.markers, markersById),
      ui: pick(f.evidence.ui, uiById),
    };
  });

  const consentAt = bundle.markers.find((m) => m.kind === 'consent.accepted')?.t;
  const lastT = Math.max(
    bundle.run.endedAt ?? 0,
    ...bundle.markers.map((m) => m.tEnd ?? m.t),
    ...bundle.events.map((e) => e.t),
    ...bundle.flows.map((f) => f.tEnd ?? f.t),
  );

  return {
    runId: bundle.run.runId,
    app: bundle.run.app,
    device: bundle.run.device,
    scenario: bundle.run.scenario.id,
    startedAt: bundle.run.startedAt,
    endedAt: Math.max(lastT, bundle.run.startedAt + 1),
    outcome: bundle.run.outcome,
    ...(bundle.run.outcomeReason ? { outcomeReason: bundle.run.outcomeReason } : {}),
    incomplete: bundle.incomplete,
    verdict: findings?.verdict ?? 'not-analysed',
    reasons: findings?.reasons ?? [],
    ruleSet: findings?.ruleSet ?? bundle.run.ruleSet ?? 'cn-miit',
    findings: resolved,
    counts: {
      events: bundle.events.length,
      flows: bundle.flows.length,
      flowsWithPersonalData: bundle.flows.filter((f) => f.hits.length > 0).length,
      tlsFailures: bundle.flows.filter((f) => f.tls?.error).length,
      markers: bundle.markers.length,
    },
    ...(consentAt !== undefined ? { consentAt } : {}),
    preConsent: preConsentIntervals(bundle.markers, bundle.run.startedAt, Math.max(lastT, bundle.run.startedAt + 1)),
    timeline: buildTimeline(bundle, evidenceIds),
    tools: bundle.run.tools,
    bundleDir: bundle.dir,
  };
}

function preConsentIntervals(markers: Marker[], start: number, end: number): ReportModel['preConsent'] {
  const sorted = [...markers].sort((a, b) => a.t - b.t);
  const starts = [start, ...sorted.filter((m) => m.kind === 'app.install').map((m) => m.t)];
  return starts.map((s, i) => {
    const segmentEnd = starts[i + 1] ?? end;
    const accepted = sorted.find((m) => m.kind === 'consent.accepted' && m.t >= s && m.t < segmentEnd);
    return { start: s, end: accepted?.t ?? segmentEnd, accepted: accepted !== undefined };
  }).filter((r) => r.end > r.start);
}

function pick<T>(ids: string[], byId: Map<string, T>): T[] {
  return ids.map((id) => byId.get(id)).filter((x): x is T => x !== undefined);
}

function buildTimeline(bundle: Bundle, evidenceIds: Set<string>): TimelineMark[] {
  const marks: TimelineMark[] = [];
  for (const m of bundle.markers) {
    const lane = LANE_OF[m.kind] ?? 'lifecycle';
    marks.push({
      t: m.t,
      ...(m.tEnd !== undefined ? { tEnd: m.tEnd } : {}),
      lane,
      label: m.label,
      party: 'none',
      ref: m.id,
      highlight: m.kind === 'consent.accepted' || m.kind === 'consent.refused',
    });
  }
  for (const e of bundle.events) {
    if (e.dataType === 'lifecycle') continue;
    const type = e.dataType in DATA_TYPE_LABELS ? DATA_TYPE_LABELS[e.dataType as DataTypeId] : e.dataType;
    marks.push({
      t: e.t,
      lane: 'events',
      label: `${e.attribution?.sdk ?? e.attribution?.party ?? 'app'}: ${type} (${e.api})`,
      party: e.attribution?.party ?? 'unknown',
      ...(e.attribution?.sdk ? { sdk: e.attribution.sdk } : {}),
      ref: e.id,
      highlight: evidenceIds.has(e.id),
    });
  }
  for (const f of bundle.flows) {
    if (f.hits.length === 0 && !f.tls?.error) continue;
    const types = [...new Set(f.hits.map((h) => h.dataType))].join(', ');
    marks.push({
      t: f.t,
      lane: 'flows',
      label: f.tls?.error ? `TLS failure ${f.server.host}` : `${f.server.host}: ${types}`,
      party: f.destination?.party ?? 'unknown',
      ...(f.destination?.sdk ? { sdk: f.destination.sdk } : {}),
      ref: f.id,
      highlight: evidenceIds.has(f.id),
    });
  }
  return marks.sort((a, b) => a.t - b.t || a.ref.localeCompare(b.ref));
}

function readTextBody(dir: string, flow: Flow): string | undefined {
  const sha = flow.request?.body.sha256;
  if (!sha) return undefined;
  const file = bodyPath(dir, sha);
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const sample = bytes.subarray(0, MAX_BODY_CHARS);
  // Non-text bodies (protobuf, images) are shown as a note, not as mojibake.
  let controls = 0;
  for (const b of sample) if (b < 9 || (b > 13 && b < 32)) controls += 1;
  if (controls > sample.length / 10) return `(${bytes.length} bytes of binary data)`;
  const text = sample.toString('utf8');
  return bytes.length > MAX_BODY_CHARS ? `${text}… (${bytes.length} bytes in all)` : text;
}

/** A screenshot as a data: URI, so the HTML report needs no network and no sibling files. */
export function screenshotDataUri(bundleDir: string, rel: string | undefined): string | undefined {
  if (!rel || rel.includes('..')) return undefined;
  const file = join(bundleDir, rel);
  if (!existsSync(file)) return undefined;
  return `data:image/png;base64,${readFileSync(file).toString('base64')}`;
}

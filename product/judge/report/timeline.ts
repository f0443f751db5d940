import type { ReportModel, TimelineMark } from './model.js';

/**
 * Geometry of the timeline chart, computed here so the template only places shapes. The chart
 * is static SVG (the report runs no script): lanes top to bottom, time left to right, the
 * pre-consent region shaded, each mark titled for hover.
 */
export const LANES: { id: TimelineMark['lane']; label: string }[] = [
  { id: 'scenario', label: 'Scenario steps' },
  { id: 'consent', label: 'Consent' },
  { id: 'permission', label: 'Permissions' },
  { id: 'lifecycle', label: 'App lifecycle' },
  { id: 'events', label: 'Sensitive API calls' },
  { id: 'flows', label: 'Flows with personal data' },
];

const PALETTE = ['#d9480f', '#ae3ec9', '#f08c00', '#c2255c', '#7048e8', '#e8590c', '#9c36b5', '#a61e4d'];
export const PARTY_COLOURS = { first: '#1971c2', system: '#868e96', unknown: '#495057', none: '#2b8a3e' } as const;

export interface ChartShape {
  x: number;
  y: number;
  width: number;
  colour: string;
  title: string;
  ref: string;
  highlight: boolean;
  isSpan: boolean;
  /** A short label drawn beside (or inside) the mark, for the lanes people read first. */
  text?: string;
}

export interface Chart {
  width: number;
  height: number;
  labelWidth: number;
  laneHeight: number;
  lanes: { label: string; y: number }[];
  shapes: ChartShape[];
  ticks: { x: number; label: string }[];
  preConsent: { x: number; width: number; label: string }[];
  legend: { label: string; colour: string }[];
}

export function buildChart(model: ReportModel, width = 1100): Chart {
  const labelWidth = 190;
  const laneHeight = 34;
  const plotWidth = width - labelWidth - 20;
  const span = Math.max(model.endedAt - model.startedAt, 1000);
  const xOf = (t: number) => labelWidth + ((t - model.startedAt) / span) * plotWidth;
  const sdkColours = new Map<string, string>();
  const colourOf = (m: TimelineMark): string => {
    if (m.party === 'sdk') {
      const key = m.sdk ?? 'sdk';
      if (!sdkColours.has(key)) sdkColours.set(key, PALETTE[sdkColours.size % PALETTE.length]!);
      return sdkColours.get(key)!;
    }
    return PARTY_COLOURS[m.party];
  };
  const laneIndex = new Map(LANES.map((l, i) => [l.id, i]));
  const shapes = model.timeline.map((m): ChartShape => {
    const lane = laneIndex.get(m.lane) ?? 0;
    const x = xOf(m.t);
    const isSpan = m.tEnd !== undefined && m.tEnd > m.t;
    return {
      x,
      y: 30 + lane * laneHeight + 8,
      width: isSpan ? Math.max(xOf(m.tEnd!) - x, 2) : 6,
      colour: colourOf(m),
      title: `${formatOffset(m.t - model.startedAt)} ${m.label}`,
      ref: m.ref,
      highlight: m.highlight,
      isSpan,
      ...(LABELLED.has(m.lane) ? { text: shortLabel(m.label, isSpan ? Math.max(xOf(m.tEnd!) - x, 0) : 120) } : {}),
    };
  });
  dropOverlappingLabels(shapes);
  const tickStep = niceStep(span / 10);
  const ticks: Chart['ticks'] = [];
  for (let t = 0; t <= span; t += tickStep) ticks.push({ x: xOf(model.startedAt + t), label: formatOffset(t) });
  const preConsent = model.preConsent.map((r, i) => ({
    x: xOf(r.start),
    width: Math.max(xOf(r.end) - xOf(r.start), 0),
    // Label the first stretch only; the others are the same colour, titled on hover.
    label: r.accepted ? (i === 0 ? 'before consent' : 'before consent (fresh install)') : 'no consent given',
  }));
  const legend = [
    { label: 'first party', colour: PARTY_COLOURS.first },
    ...[...sdkColours.entries()].map(([sdk, colour]) => ({ label: sdk, colour })),
    { label: 'system / unknown', colour: PARTY_COLOURS.unknown },
  ];
  return {
    width,
    height: 30 + LANES.length * laneHeight + 30,
    labelWidth,
    laneHeight,
    lanes: LANES.map((l, i) => ({ label: l.label, y: 30 + i * laneHeight })),
    shapes,
    ticks,
    preConsent,
    legend,
  };
}

/** Point labels that would run into the next label on the same lane are left to the tooltip. */
function dropOverlappingLabels(shapes: ChartShape[]): void {
  const lastEnd = new Map<number, number>();
  for (const shape of [...shapes].sort((a, b) => a.x - b.x)) {
    if (!shape.text) continue;
    const start = shape.x + (shape.isSpan ? 4 : 9);
    if (start < (lastEnd.get(shape.y) ?? -Infinity)) {
      delete shape.text;
      continue;
    }
    lastEnd.set(shape.y, start + shape.text.length * 6.5 + 6);
  }
}

const LABELLED = new Set<TimelineMark['lane']>(['scenario', 'consent', 'permission']);

/** Roughly what fits in `px` pixels at 11px type. */
function shortLabel(label: string, px: number): string | undefined {
  const room = Math.floor(px / 6.5);
  if (room < 4) return undefined;
  return label.length <= room ? label : `${label.slice(0, room - 1)}…`;
}

/** 1, 2 or 5 times a power of ten, at least `raw` (so a chart never has more than ~10 ticks). */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
}

export function formatOffset(ms: number): string {
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${(s % 60).toFixed(0)} s`;
}

import type { Bundle } from '../../evidence/bundle/reader.js';
import type { EvidenceRef, Severity } from '../../contracts/bundle-schema.js';
import type { SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import type { DataTypeId } from '../../contracts/data-types.js';
import type { Declarations } from '../policy/declarations.js';
import type { Observations } from './observations.js';
import type { Timeline } from './timeline.js';
import type { Wording } from './rule-sets.js';

export type ThresholdValue = number | string | boolean;

export interface ThresholdSpec {
  default: ThresholdValue;
  /** What it means and its unit, for `consentry rules`. */
  description: string;
}

/**
 * A rule's definition: plain data that `consentry rules` lists and config overrides tune. The
 * citations a finding carries come from the active rule set (product/evidence/catalogue/rule-sets.yaml);
 * `sources` here is the jurisdiction-neutral sources of product/evidence/catalogue/rule-catalogue.yaml.
 */
export interface RuleMeta {
  id: string;
  title: string;
  severity: Severity;
  sources: readonly string[];
  /** The signal the rule reads, in a sentence. */
  signal: string;
  thresholds: Readonly<Record<string, ThresholdSpec>>;
  /** Extra threshold keys accepted with a pattern (per-data-type limits: "maxCalls.location"). */
  thresholdPattern?: RegExp;
  /** Whether the rule needs the app's declarations (policy / lists) to judge. */
  needsDeclarations?: boolean;
  /** One sentence on what the rule checks, with the thresholds in force. */
  explain(thresholds: Readonly<Record<string, ThresholdValue>>): string;
}

/** Everything a rule may read. Rules are pure functions of this value. */
export interface RuleContext {
  bundle: Pick<Bundle, 'run' | 'markers' | 'events' | 'flows' | 'ui'>;
  declarations: Declarations | undefined;
  observations: Observations;
  timeline: Timeline;
  catalogue: SdkCatalogue;
  thresholds: Readonly<Record<string, ThresholdValue>>;
  wording: Wording;
  /** UI trees (UiAutomator XML) by UI snapshot id, for snapshots whose tree was stored. */
  uiTrees: ReadonlyMap<string, string>;
  /** static.json of the bundle when present (signing certificates for INTEGRITY-REPACKAGED). */
  staticFacts: unknown;
}

/** What a rule reports; the engine adds the rule id, severity and the rule set's citations. */
export interface FindingDraft {
  statement: string;
  dataTypes?: DataTypeId[];
  sdk?: string;
  t?: number;
  evidence: Partial<EvidenceRef>;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): FindingDraft[];
}

export function num(ctx: RuleContext, key: string): number {
  const v = ctx.thresholds[key];
  return typeof v === 'number' ? v : Number(v);
}

export function str(ctx: RuleContext, key: string): string {
  const v = ctx.thresholds[key];
  return v === undefined ? '' : String(v);
}

export function bool(ctx: RuleContext, key: string): boolean {
  const v = ctx.thresholds[key];
  return v === true || v === 'true';
}

/** A comma-separated threshold as a list. */
export function list(ctx: RuleContext, key: string): string[] {
  return str(ctx, key)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

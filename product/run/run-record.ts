import type { BundleWriter } from '../evidence/bundle/writer.js';
import type { DeviceIdentifiers, RunMeta } from '../contracts/bundle-schema.js';

/**
 * What the stages of one run learn and add to, kept in one place each: the device's identifiers
 * (read over adb when the device is leased, then the values the app was seen reading) and the
 * run's coverage record. Stages add to these; none rebuilds them by spreading another's copy.
 */

/** Union of identifier sets, each type's values de-duplicated and sorted. */
export function mergeIdentifiers(...sets: (DeviceIdentifiers | undefined)[]): DeviceIdentifiers {
  const out: DeviceIdentifiers = {};
  for (const set of sets) {
    if (!set) continue;
    for (const [type, values] of Object.entries(set) as [keyof DeviceIdentifiers, string[]][]) {
      out[type] = [...new Set([...(out[type] ?? []), ...values])].sort();
    }
  }
  return out;
}

/** The run's one identifier set: the device's, plus every source that joins during the run. */
export class RunIdentifiers {
  private readonly sources: (() => DeviceIdentifiers | undefined)[] = [];

  constructor(private readonly device: DeviceIdentifiers) {}

  /** A stage that learns identifiers as the run goes (instrumentation) adds itself here. */
  addSource(source: () => DeviceIdentifiers | undefined): void {
    this.sources.push(source);
  }

  current(): DeviceIdentifiers {
    return mergeIdentifiers(this.device, ...this.sources.map((s) => s()));
  }
}

export type RunCoverage = RunMeta['coverage'];

/** Adds to the run's coverage record (run.json), leaving what other stages wrote. */
export function addCoverage(writer: BundleWriter, coverage: Partial<RunCoverage>): void {
  writer.updateRun({ coverage: { ...writer.run.coverage, ...coverage } });
}

/** Adds tool versions to run.json, leaving the ones already recorded. */
export function addTools(writer: BundleWriter, tools: Record<string, string> | undefined): void {
  if (tools) writer.updateRun({ tools: { ...writer.run.tools, ...tools } });
}

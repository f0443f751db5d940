import type { SdkCatalogue, SdkEntry } from '../catalogue/sdk-catalogue.js';
import { dexClassNames } from './dex.js';
import type { SdkHit } from './facts-schema.js';

const MAX_EXAMPLES = 5;

/**
 * Which catalogued SDKs an app carries, from the class names its DEX files define. The
 * catalogue's own lookup (longest package prefix on whole segments) decides ownership, so the
 * result agrees with how instrumentation attributes stack frames.
 */
export class SdkScan {
  private readonly hits = new Map<string, { entry: SdkEntry; prefixes: Map<string, number>; examples: string[] }>();
  classes = 0;

  constructor(private readonly catalogue: SdkCatalogue) {}

  addClass(className: string): void {
    this.classes += 1;
    const entry = this.catalogue.sdkForClass(className);
    if (!entry) return;
    const prefix = matchedPrefix(entry, className);
    let hit = this.hits.get(entry.id);
    if (!hit) {
      hit = { entry, prefixes: new Map(), examples: [] };
      this.hits.set(entry.id, hit);
    }
    hit.prefixes.set(prefix, (hit.prefixes.get(prefix) ?? 0) + 1);
    if (hit.examples.length < MAX_EXAMPLES) hit.examples.push(className);
  }

  addDex(buf: Buffer): void {
    for (const name of dexClassNames(buf)) this.addClass(name);
  }

  result(): SdkHit[] {
    return [...this.hits.values()]
      .map(({ entry, prefixes, examples }) => ({
        id: entry.id,
        name: entry.name,
        vendor: entry.vendor,
        category: entry.category,
        packages: [...prefixes].map(([prefix, classes]) => ({ prefix, classes })).sort((a, b) => a.prefix.localeCompare(b.prefix)),
        examples,
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** SDKs present in a set of DEX files (each buffer is one classes*.dex). */
export function scanSdks(dexBuffers: Iterable<Buffer>, catalogue: SdkCatalogue): SdkHit[] {
  const scan = new SdkScan(catalogue);
  for (const buf of dexBuffers) scan.addDex(buf);
  return scan.result();
}

/** The same from class names (e.g. an SDK list a model file declares). */
export function sdksForClasses(classNames: Iterable<string>, catalogue: SdkCatalogue): SdkHit[] {
  const scan = new SdkScan(catalogue);
  for (const name of classNames) scan.addClass(name);
  return scan.result();
}

function matchedPrefix(entry: SdkEntry, className: string): string {
  let best = '';
  for (const p of entry.packages) {
    if ((className === p || className.startsWith(`${p}.`)) && p.length > best.length) best = p;
  }
  return best || className;
}

import type { SdkEntry } from '../catalogue/sdk-catalogue.js';
import type { SdkCatalogue } from '../catalogue/sdk-lookup.js';
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
  /** Owner of each package seen: an app's classes share few packages (tens of classes each). */
  private readonly byPackage = new Map<string, Owner | null>();
  /** The first class seen in each package (packer detection reads packages, with an example). */
  private readonly firstClass = new Map<string, string>();
  classes = 0;

  constructor(private readonly catalogue: SdkCatalogue) {}

  addClass(className: string): void {
    this.classes += 1;
    const owner = this.ownerOf(className);
    if (!owner) return;
    const { entry, prefix } = owner;
    let hit = this.hits.get(entry.id);
    if (!hit) {
      hit = { entry, prefixes: new Map(), examples: [] };
      this.hits.set(entry.id, hit);
    }
    hit.prefixes.set(prefix, (hit.prefixes.get(prefix) ?? 0) + 1);
    if (hit.examples.length < MAX_EXAMPLES) hit.examples.push(className);
  }

  /**
   * What catalogue.sdkForClass says, and the catalogue package that matched, looked up once per
   * package. A class "a.b.C" matches the same catalogue packages as "a.b" unless the catalogue
   * lists "a.b.C" itself, which is checked first.
   */
  private ownerOf(className: string): Owner | undefined {
    const dot = className.lastIndexOf('.');
    if (dot < 0) return ownerFor(this.catalogue.sdkForClass(className), className);
    if (this.catalogue.sdkWithPackage(className)) {
      const pkg = className.slice(0, dot);
      if (!this.firstClass.has(pkg)) this.firstClass.set(pkg, className);
      return ownerFor(this.catalogue.sdkForClass(className), className);
    }
    const pkg = className.slice(0, dot);
    let owner = this.byPackage.get(pkg);
    if (owner === undefined) {
      owner = ownerFor(this.catalogue.sdkForClass(pkg), pkg) ?? null;
      this.byPackage.set(pkg, owner);
      if (!this.firstClass.has(pkg)) this.firstClass.set(pkg, className);
    }
    return owner ?? undefined;
  }

  /** Every package classes were seen in (the default package aside), with its first class. */
  packages(): ReadonlyMap<string, string> {
    return this.firstClass;
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

interface Owner {
  entry: SdkEntry;
  prefix: string;
}

function ownerFor(entry: SdkEntry | undefined, name: string): Owner | undefined {
  return entry ? { entry, prefix: matchedPrefix(entry, name) } : undefined;
}

function matchedPrefix(entry: SdkEntry, className: string): string {
  let best = '';
  for (const p of entry.packages) {
    if ((className === p || className.startsWith(`${p}.`)) && p.length > best.length) best = p;
  }
  return best || className;
}

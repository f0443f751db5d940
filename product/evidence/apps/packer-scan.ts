import { PACKER_SIGNATURE_KINDS, type PackerCatalogue, type SignatureRef } from '../catalogue/packer-lookup.js';
import { printable } from '../../core/untrusted.js';
import type { ManifestFacts, PackerHit } from './facts-schema.js';

/** Files or classes kept as evidence per signature: enough to check by hand, bounded for hostile APKs. */
const MAX_VALUES_PER_SIGNATURE = 3;
/** Evidence values are names from the APK; longer ones are cut for the report. */
const MAX_VALUE_CHARS = 200;

/** What AppFacts says when a protector is found (the SDK list then covers the shell only). */
export const PACKED_SDK_CAVEAT = "the DEX in this APK is a protector's shell; SDKs loaded from its encrypted payload are not listed";

/**
 * Which protectors (packers) an app is wrapped in, from the manifest, the archive's file names
 * and the classes its DEX defines, against the packer catalogue. A signature counts its weight
 * once however many names match it, so a thousand look-alike files weigh no more than one.
 */
export class PackerScan {
  private readonly matched = new Map<string, { ref: SignatureRef; values: string[] }>();
  /** Packages addClass has seen. */
  private readonly dexPackages = new Set<string>();

  constructor(private readonly catalogue: PackerCatalogue) {}

  addManifest(manifest: Pick<ManifestFacts, 'applicationClass' | 'components'>): void {
    if (manifest.applicationClass) {
      for (const ref of this.catalogue.forApplicationClass(manifest.applicationClass)) this.note(ref, manifest.applicationClass);
    }
    for (const c of manifest.components) {
      for (const ref of this.catalogue.forPackage('component-class', packageOf(c.name))) this.note(ref, c.name);
    }
  }

  /** The entry names of one archive (lib/<abi>/*.so, assets/...). */
  addEntries(entries: readonly { name: string }[]): void {
    for (const e of entries) {
      for (const ref of this.catalogue.forEntry(e.name)) this.note(ref, e.name);
    }
  }

  /**
   * A package the DEX files define classes in, with one of them to show as evidence. Packages,
   * not classes: an app has tens of thousands of classes in a few hundred packages, and
   * SdkScan lists them at no extra cost per class.
   */
  addDexPackage(packageName: string, exampleClass: string): void {
    for (const ref of this.catalogue.forPackage('dex-class', packageName)) this.note(ref, exampleClass);
  }

  /** One DEX class; only the first of each package is looked at (and shown), as with SdkScan. */
  addClass(className: string): void {
    const pkg = packageOf(className);
    if (this.dexPackages.has(pkg)) return;
    this.dexPackages.add(pkg);
    this.addDexPackage(pkg, className);
  }

  private note(ref: SignatureRef, value: string): void {
    let m = this.matched.get(ref.key);
    if (!m) {
      m = { ref, values: [] };
      this.matched.set(ref.key, m);
    }
    const shown = printable(value, MAX_VALUE_CHARS);
    if (m.values.length < MAX_VALUES_PER_SIGNATURE && !m.values.includes(shown)) m.values.push(shown);
  }

  /** Protectors whose matched signatures reach the catalogue's threshold, strongest first. */
  result(): PackerHit[] {
    const byPacker = new Map<string, { ref: SignatureRef; values: string[] }[]>();
    for (const m of this.matched.values()) byPacker.set(m.ref.packer.id, [...(byPacker.get(m.ref.packer.id) ?? []), m]);
    const hits: (PackerHit & { score: number })[] = [];
    for (const matches of byPacker.values()) {
      const score = matches.reduce((s, m) => s + m.ref.signature.weight, 0);
      if (score < this.catalogue.threshold) continue;
      const { id, name, vendor } = matches[0]!.ref.packer;
      const evidence = matches
        .flatMap((m) => m.values.map((value) => ({ kind: m.ref.signature.kind, value })))
        .sort((a, b) => PACKER_SIGNATURE_KINDS.indexOf(a.kind) - PACKER_SIGNATURE_KINDS.indexOf(b.kind) || a.value.localeCompare(b.value));
      hits.push({ id, name, vendor, evidence, score });
    }
    return hits.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).map(({ score: _score, ...hit }) => hit);
  }
}

/** a.b.C → a.b; a class in the default package has none (""), which no signature names. */
function packageOf(className: string): string {
  const dot = className.lastIndexOf('.');
  return dot < 0 ? '' : className.slice(0, dot);
}

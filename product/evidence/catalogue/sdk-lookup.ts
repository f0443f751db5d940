import type { SdkEntry } from './sdk-catalogue.js';

/**
 * Entries of this category are open-source code with no vendor back end (Fresco, React Native):
 * their prefixes shadow the vendor's broad entry (com.facebook) but name no SDK.
 */
export const LIBRARY_CATEGORY = 'library';

/**
 * The SDK catalogue with the two lookups every stage needs: which SDK owns a Java class and which
 * SDK owns a host. Kept apart from the YAML loader and its schema so code that only looks things
 * up (static analysis from a precompiled catalogue) loads neither yaml nor zod.
 *
 * The rule, for classes and hosts alike: the most specific listed claim wins. A class belongs to
 * the entry with the longest package prefix it lies under, on whole segments; a host to the entry
 * with the longest listed suffix, on whole labels. The schema forbids the same prefix or domain in
 * two entries, so the answer never depends on file order. Both lookups walk up the name one
 * segment (label) at a time against a hash map: the cost grows with the name's depth, not with the
 * catalogue's size, which matters when intake looks up every package of every DEX file.
 */
export class SdkCatalogue {
  readonly entries: readonly SdkEntry[];
  private readonly byPackage = new Map<string, SdkEntry>();
  private readonly byDomain = new Map<string, SdkEntry>();
  private readonly byIdMap = new Map<string, SdkEntry>();

  constructor(entries: SdkEntry[]) {
    this.entries = entries;
    for (const e of entries) {
      this.byIdMap.set(e.id, e);
      for (const p of e.packages) this.byPackage.set(p, e);
      for (const d of e.domains) this.byDomain.set(d.toLowerCase(), e);
    }
  }

  /**
   * The SDK a fully qualified class name (or stack frame "a.b.C.method") belongs to; undefined for
   * code of no catalogued SDK, and for an open-source library entry (see libraryForClass).
   */
  sdkForClass(className: string): SdkEntry | undefined {
    const owner = this.ownerOfClass(className);
    return owner?.category === LIBRARY_CATEGORY ? undefined : owner;
  }

  /** The open-source library entry (category "library") a class belongs to, if any. */
  libraryForClass(className: string): SdkEntry | undefined {
    const owner = this.ownerOfClass(className);
    return owner?.category === LIBRARY_CATEGORY ? owner : undefined;
  }

  /** The SDK that lists exactly this package (no walk up to shorter prefixes). */
  sdkWithPackage(name: string): SdkEntry | undefined {
    return this.byPackage.get(name);
  }

  /** The SDK that owns a host name, by longest suffix on label boundaries. */
  sdkForHost(host: string): SdkEntry | undefined {
    let name = host.toLowerCase().replace(/\.$/, '');
    for (;;) {
      const hit = this.byDomain.get(name);
      if (hit) return hit;
      const dot = name.indexOf('.');
      if (dot < 0) return undefined;
      name = name.slice(dot + 1);
    }
  }

  byId(id: string): SdkEntry | undefined {
    return this.byIdMap.get(id);
  }

  /** The entry with the longest listed prefix of `className`, library entries included. */
  private ownerOfClass(className: string): SdkEntry | undefined {
    let name = className;
    for (;;) {
      const hit = this.byPackage.get(name);
      if (hit) return hit;
      const dot = name.lastIndexOf('.');
      if (dot < 0) return undefined;
      name = name.slice(0, dot);
    }
  }
}

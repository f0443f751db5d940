import type { SdkEntry } from './sdk-catalogue.js';

/**
 * The SDK catalogue with the two lookups every stage needs: which SDK owns a Java class
 * (longest package prefix, on whole segments) and which SDK owns a host (longest domain
 * suffix, on whole labels). Kept apart from the YAML loader and its schema so code that only
 * looks things up (static analysis from a precompiled catalogue) loads neither yaml nor zod.
 */
export class SdkCatalogue {
  readonly entries: readonly SdkEntry[];
  private readonly byPackage = new Map<string, SdkEntry>();
  private readonly byDomain = new Map<string, SdkEntry>();

  constructor(entries: SdkEntry[]) {
    this.entries = entries;
    for (const e of entries) {
      for (const p of e.packages) this.byPackage.set(p, e);
      for (const d of e.domains) this.byDomain.set(d.toLowerCase(), e);
    }
  }

  /** The SDK a fully qualified class name (or stack frame "a.b.C.method") belongs to. */
  sdkForClass(className: string): SdkEntry | undefined {
    let name = className;
    for (;;) {
      const hit = this.byPackage.get(name);
      if (hit) return hit;
      const dot = name.lastIndexOf('.');
      if (dot < 0) return undefined;
      name = name.slice(0, dot);
    }
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
    return this.entries.find((e) => e.id === id);
  }
}

import { join } from 'node:path';
import { z } from 'zod';
import { builtIn } from '../core/paths.js';
import { loadValidatedFile } from '../core/validated-file.js';

export const SdkEntry = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string(),
    vendor: z.string(),
    aliases: z.array(z.string()).default([]),
    packages: z.array(z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/)).min(1),
    domains: z.array(z.string()).default([]),
    category: z.string(),
  })
  .strict();
export type SdkEntry = z.infer<typeof SdkEntry>;

/**
 * The SDK catalogue with the two lookups every stage needs: which SDK owns a Java class
 * (longest package prefix, on whole segments) and which SDK owns a host (longest domain
 * suffix, on whole labels).
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

let cached: SdkCatalogue | undefined;

export function loadSdkCatalogue(file = join(builtIn.catalogue, 'sdks.yaml')): SdkCatalogue {
  if (file === join(builtIn.catalogue, 'sdks.yaml') && cached) return cached;
  const entries = loadValidatedFile(file, z.array(SdkEntry), 'SDK catalogue');
  const catalogue = new SdkCatalogue(entries);
  if (file === join(builtIn.catalogue, 'sdks.yaml')) cached = catalogue;
  return catalogue;
}

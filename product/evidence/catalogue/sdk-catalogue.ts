import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DataTypeId } from '../../contracts/data-types.js';
import { loadValidatedFile, parseValidated } from '../../core/validated-file.js';
import {
  builtInSdkCatalogue,
  COMPILED_SDK_CATALOGUE_FILE,
  SDK_CATALOGUE_FILE,
  writeCompiledSdkCatalogue,
  type CompiledSdkCatalogue,
} from './compiled-sdk-catalogue.js';
import { SdkCatalogue } from './sdk-lookup.js';

export { SdkCatalogue } from './sdk-lookup.js';
export { loadBuiltInSdkCatalogue, SDK_CATALOGUE_FILE } from './compiled-sdk-catalogue.js';

export const SdkEntry = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    name: z.string(),
    vendor: z.string(),
    aliases: z.array(z.string()).default([]),
    packages: z.array(z.string().regex(/^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/)).min(1),
    domains: z.array(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a lower-case host name or suffix')).default([]),
    category: z.string(),
    /** What the SDK collects, as its vendor discloses it (or, the source says so, as SDKs of its kind usually do). */
    dataTypes: z.array(DataTypeId).optional(),
    /**
     * Where the package prefixes and hosts are documented. Optional for an entry built in code (a
     * test's fixture); every entry of a catalogue file must have one (SdkCatalogueFile).
     */
    source: z.string().min(1).optional(),
  })
  .strict();
export type SdkEntry = z.infer<typeof SdkEntry>;

/**
 * The category vocabulary. Rules read categories by name (ui-shake-jump.ts: `advertising`), so a
 * misspelt one in the file would silently drop an SDK out of a rule; `library` marks open-source
 * code with no vendor back end (see sdk-lookup.ts).
 */
export const SDK_CATEGORIES = [
  'advertising',
  'analytics',
  'attribution',
  'authentication',
  'cloud',
  'crash-reporting',
  'customer-service',
  'fraud-prevention',
  'identifier',
  'library',
  'location',
  'media',
  'other',
  'payment',
  'push',
  'social',
  'web',
] as const;

/**
 * The whole catalogue: entries, plus the checks one entry cannot make on its own. An id, package
 * prefix or domain listed twice would make the lookup's answer depend on file order; a deliberately
 * narrower claim is a longer prefix or suffix instead (see sdks.yaml).
 */
export const SdkCatalogueFile = z.array(SdkEntry).superRefine((entries, ctx) => {
  const seen = { id: new Map<string, number>(), package: new Map<string, number>(), domain: new Map<string, number>() };
  entries.forEach((e, i) => {
    if (e.source === undefined) {
      ctx.addIssue({ code: 'custom', path: [i, 'source'], message: `entry ${e.id} has no source: say where its package prefixes and domains are documented` });
    }
    if (!(SDK_CATEGORIES as readonly string[]).includes(e.category)) {
      ctx.addIssue({ code: 'custom', path: [i, 'category'], message: `category "${e.category}" is not one of ${SDK_CATEGORIES.join(', ')}` });
    }
    const claims: [keyof typeof seen, string[], string][] = [
      ['id', [e.id], 'id'],
      ['package', e.packages, 'packages'],
      ['domain', e.domains, 'domains'],
    ];
    for (const [kind, values, field] of claims) {
      for (const v of values) {
        const first = seen[kind].get(v);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [i, field], message: `${kind} "${v}" is already claimed by entry ${first} (${entries[first]!.id}); give one entry a longer, more specific ${kind} instead` });
        } else seen[kind].set(v, i);
      }
    }
  });
});

/**
 * The SDK catalogue from a YAML file; the built-in one (the default) once per process, from its
 * compiled form when the build left a fresh one (see compiled-sdk-catalogue.ts).
 */
export function loadSdkCatalogue(file = SDK_CATALOGUE_FILE): SdkCatalogue {
  const parse = () => loadValidatedFile(file, SdkCatalogueFile, 'SDK catalogue');
  return file === SDK_CATALOGUE_FILE ? builtInSdkCatalogue(parse) : new SdkCatalogue(parse());
}

/**
 * Validates the YAML and writes its compiled form (the build step; the benchmark for its own
 * compiled worker). The digest is taken of the very text that was validated.
 */
export function compileSdkCatalogue(source = SDK_CATALOGUE_FILE, out = COMPILED_SDK_CATALOGUE_FILE): CompiledSdkCatalogue {
  const text = readFileSync(source, 'utf8');
  return writeCompiledSdkCatalogue(parseValidated(text, source, SdkCatalogueFile, 'SDK catalogue'), text, source, out);
}

import { readFileSync } from 'node:fs';
import { z } from 'zod';
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
    domains: z.array(z.string()).default([]),
    category: z.string(),
  })
  .strict();
export type SdkEntry = z.infer<typeof SdkEntry>;

/**
 * The SDK catalogue from a YAML file; the built-in one (the default) once per process, from its
 * compiled form when the build left a fresh one (see compiled-sdk-catalogue.ts).
 */
export function loadSdkCatalogue(file = SDK_CATALOGUE_FILE): SdkCatalogue {
  const parse = () => loadValidatedFile(file, z.array(SdkEntry), 'SDK catalogue');
  return file === SDK_CATALOGUE_FILE ? builtInSdkCatalogue(parse) : new SdkCatalogue(parse());
}

/**
 * Validates the YAML and writes its compiled form (the build step; the benchmark for its own
 * compiled worker). The digest is taken of the very text that was validated.
 */
export function compileSdkCatalogue(source = SDK_CATALOGUE_FILE, out = COMPILED_SDK_CATALOGUE_FILE): CompiledSdkCatalogue {
  const text = readFileSync(source, 'utf8');
  return writeCompiledSdkCatalogue(parseValidated(text, source, z.array(SdkEntry), 'SDK catalogue'), text, source, out);
}

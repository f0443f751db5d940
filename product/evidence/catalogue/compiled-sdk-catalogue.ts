import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtIn } from '../../core/paths.js';
import { readCompiledFile, writeCompiledFile, type CompiledDocument } from './compiled-file.js';
import type { SdkEntry } from './sdk-catalogue.js';
import { SdkCatalogue } from './sdk-lookup.js';

/**
 * The built-in SDK catalogue in a precompiled form, so a short-lived process (`consentry
 * inspect`, a farm worker) does not pay for the YAML: on a cold process, loading yaml and zod
 * and parsing sdks.yaml costs ~100 ms, against ~3 ms to analyse a small APK.
 *
 * sdks.yaml stays the source of truth. The build (tooling/scripts/build-catalogue.mjs, after tsc) writes
 * the zod-validated entries to sdks.compiled.json beside this module's compiled code, keyed by
 * the SHA-256 of the YAML text they came from. A loader uses that file only when the key
 * matches the YAML it would otherwise parse; when the file is absent (running from source, no
 * build), unreadable or stale (the YAML was edited after the build), it parses the YAML. So an
 * old build can cost time, never give different answers, and no test has to police it. The file
 * mechanics are shared with the packer catalogue (compiled-file.ts).
 */

export const SDK_CATALOGUE_FILE = join(builtIn.catalogue, 'sdks.yaml');
export const COMPILED_SDK_CATALOGUE_FILE = fileURLToPath(new URL('./sdks.compiled.json', import.meta.url));

/** Bumped when the compiled document's shape changes, so an old build's file reads as stale (3: source, dataTypes). */
const COMPILED_FORMAT = 3;

export type CompiledSdkCatalogue = CompiledDocument<SdkEntry[]>;

export function writeCompiledSdkCatalogue(entries: SdkEntry[], sourceText: string, source: string, out: string): CompiledSdkCatalogue {
  return writeCompiledFile(entries, COMPILED_FORMAT, sourceText, source, out);
}

/** The entries of `compiled` when fresh; undefined, and the caller parses the YAML (which also reports a broken YAML properly). */
export function readCompiledSdkCatalogue(source = SDK_CATALOGUE_FILE, compiled = COMPILED_SDK_CATALOGUE_FILE): SdkEntry[] | undefined {
  return readCompiledFile<SdkEntry[]>(source, compiled, COMPILED_FORMAT, Array.isArray);
}

let builtInCatalogue: SdkCatalogue | undefined;

/** The built-in catalogue, built once per process: compiled when fresh, else from `parseYaml`. */
export function builtInSdkCatalogue(parseYaml: () => SdkEntry[]): SdkCatalogue {
  builtInCatalogue ??= new SdkCatalogue(readCompiledSdkCatalogue() ?? parseYaml());
  return builtInCatalogue;
}

/**
 * The built-in catalogue for callers that may await: the YAML loader (and with it yaml and
 * zod) is imported only when there is no fresh compiled catalogue.
 */
export async function loadBuiltInSdkCatalogue(): Promise<SdkCatalogue> {
  if (builtInCatalogue) return builtInCatalogue;
  const entries = readCompiledSdkCatalogue();
  if (entries) {
    builtInCatalogue ??= new SdkCatalogue(entries);
    return builtInCatalogue;
  }
  const { loadSdkCatalogue } = await import('./sdk-catalogue.js');
  return loadSdkCatalogue();
}

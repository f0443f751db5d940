import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtIn } from '../core/paths.js';
import type { SdkEntry } from './sdk-catalogue.js';
import { SdkCatalogue } from './sdk-lookup.js';

/**
 * The built-in SDK catalogue in a precompiled form, so a short-lived process (`consentry
 * inspect`, a farm worker) does not pay for the YAML: on a cold process, loading yaml and zod
 * and parsing sdks.yaml costs ~100 ms, against ~3 ms to analyse a small APK.
 *
 * sdks.yaml stays the source of truth. The build (scripts/build-catalogue.mjs, after tsc) writes
 * the zod-validated entries to sdks.compiled.json beside this module's compiled code, keyed by
 * the SHA-256 of the YAML text they came from. A loader uses that file only when the key
 * matches the YAML it would otherwise parse; when the file is absent (running from source, no
 * build), unreadable or stale (the YAML was edited after the build), it parses the YAML. So an
 * old build can cost time, never give different answers, and no test has to police it.
 *
 * The compiled file is a build product like the JavaScript beside it, written only from entries
 * the schema accepted; it is not validated again (that would load zod, the cost it saves).
 */

export const SDK_CATALOGUE_FILE = join(builtIn.catalogue, 'sdks.yaml');
export const COMPILED_SDK_CATALOGUE_FILE = fileURLToPath(new URL('./sdks.compiled.json', import.meta.url));

/** Bumped when the compiled document's shape changes, so an old build's file reads as stale. */
const COMPILED_FORMAT = 1;

export interface CompiledSdkCatalogue {
  format: typeof COMPILED_FORMAT;
  /** File name of the YAML it was compiled from, for people reading the file. */
  source: string;
  sourceSha256: string;
  entries: SdkEntry[];
}

export function catalogueDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Writes the compiled form atomically: a concurrent reader sees the old file or the new one. */
export function writeCompiledSdkCatalogue(entries: SdkEntry[], sourceText: string, source: string, out: string): CompiledSdkCatalogue {
  const doc: CompiledSdkCatalogue = { format: COMPILED_FORMAT, source: basename(source), sourceSha256: catalogueDigest(sourceText), entries };
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc)}\n`);
  renameSync(tmp, out);
  return doc;
}

/**
 * The entries of `compiled` when it was compiled from the current text of `source`; undefined
 * when it is absent, unreadable or stale, and the caller parses the YAML instead (which also
 * reports a missing or broken YAML properly).
 */
export function readCompiledSdkCatalogue(source = SDK_CATALOGUE_FILE, compiled = COMPILED_SDK_CATALOGUE_FILE): SdkEntry[] | undefined {
  let doc: Partial<CompiledSdkCatalogue>;
  let sourceText: string;
  try {
    doc = JSON.parse(readFileSync(compiled, 'utf8')) as Partial<CompiledSdkCatalogue>;
    sourceText = readFileSync(source, 'utf8');
  } catch {
    return undefined;
  }
  const fresh = doc.format === COMPILED_FORMAT && Array.isArray(doc.entries) && doc.sourceSha256 === catalogueDigest(sourceText);
  return fresh ? doc.entries : undefined;
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

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtIn } from '../../core/paths.js';
import { readCompiledFile, writeCompiledFile, type CompiledDocument } from './compiled-file.js';
import { PackerCatalogue, type PackerRules } from './packer-lookup.js';

/**
 * The built-in packer catalogue in a precompiled form, for the same reason and on the same
 * terms as the SDK catalogue's (compiled-sdk-catalogue.ts): packers.yaml stays the source of
 * truth; packers.compiled.json beside this module's compiled code holds the validated rules,
 * keyed by the SHA-256 of the YAML text, and is used only while that key matches. Absent or
 * stale, the YAML is parsed: slower (yaml loaded and parsed once per process), never different.
 */

export const PACKER_CATALOGUE_FILE = join(builtIn.catalogue, 'packers.yaml');
export const COMPILED_PACKER_CATALOGUE_FILE = fileURLToPath(new URL('./packers.compiled.json', import.meta.url));

/** Bumped when the compiled document's shape changes, so an old build's file reads as stale. */
const COMPILED_FORMAT = 2;

export type CompiledPackerCatalogue = CompiledDocument<PackerRules>;

export function writeCompiledPackerCatalogue(rules: PackerRules, sourceText: string, source: string, out: string): CompiledPackerCatalogue {
  return writeCompiledFile(rules, COMPILED_FORMAT, sourceText, source, out);
}

/** The rules of `compiled` when compiled from the current text of `source`; else undefined. */
export function readCompiledPackerCatalogue(source = PACKER_CATALOGUE_FILE, compiled = COMPILED_PACKER_CATALOGUE_FILE): PackerRules | undefined {
  return readCompiledFile<PackerRules>(source, compiled, COMPILED_FORMAT, (c) => {
    const rules = c as Partial<PackerRules> | undefined;
    return Array.isArray(rules?.packers) && typeof rules.threshold === 'number';
  });
}

let builtInCatalogue: PackerCatalogue | undefined;

/**
 * The built-in packer catalogue, once per process: compiled when fresh, else the YAML loader
 * (and with it the yaml package) is imported and run.
 */
export async function loadBuiltInPackerCatalogue(): Promise<PackerCatalogue> {
  if (builtInCatalogue) return builtInCatalogue;
  const rules = readCompiledPackerCatalogue();
  if (rules) {
    builtInCatalogue ??= new PackerCatalogue(rules);
    return builtInCatalogue;
  }
  const { loadPackerCatalogue } = await import('./packer-catalogue.js');
  return loadPackerCatalogue();
}

/** For the YAML loader: the built-in catalogue, built once from `parseYaml` unless already built. */
export function builtInPackerCatalogue(parseYaml: () => PackerRules): PackerCatalogue {
  builtInCatalogue ??= new PackerCatalogue(readCompiledPackerCatalogue() ?? parseYaml());
  return builtInCatalogue;
}

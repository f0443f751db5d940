// Compiles the built-in SDK and packer catalogues (product/evidence/catalogue/sdks.yaml and packers.yaml,
// the sources of truth) to dist/product/evidence/catalogue/*.compiled.json, beside the compiled loaders, keyed by the YAML's
// SHA-256: a fresh process then skips loading yaml and zod and parsing the YAML. Runs after tsc
// (it uses the compiled loader, so the entries are validated by the same schema the build
// ships). A stale or missing file is never wrong, only slower: loaders then parse the YAML.
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const loader = join(root, 'dist', 'product', 'evidence', 'catalogue', 'sdk-catalogue.js');
if (!existsSync(loader)) {
  console.error(`build-catalogue: ${relative(root, loader)} is missing; run tsc first (npm run build)`);
  process.exit(1);
}
const { compileSdkCatalogue } = await import(pathToFileURL(loader).href);
const { COMPILED_SDK_CATALOGUE_FILE } = await import(pathToFileURL(join(dirname(loader), 'compiled-sdk-catalogue.js')).href);
const doc = compileSdkCatalogue();
console.log(`catalogue: ${doc.content.length} SDKs from ${doc.source} into ${relative(root, COMPILED_SDK_CATALOGUE_FILE)}`);
const { compilePackerCatalogue } = await import(pathToFileURL(join(dirname(loader), 'packer-catalogue.js')).href);
const packers = compilePackerCatalogue();
console.log(`catalogue: ${packers.content.packers.length} packers from ${packers.source}`);

/**
 * consentry's side of the APK static-analysis benchmark, in a fresh process over all files:
 *
 *   inspect  inspectApp(file): what `consentry inspect` and a run do (intake with digests,
 *            manifest, signing block, native ABIs, every DEX's classes against the SDK catalogue)
 *   listing  the like-for-like of the peer: manifest facts + the class names of every DEX
 *
 * Times itself from inside the process (module import time, then each file), as the androguard
 * script does, and prints one JSON document (ApkRunResult) on the last stdout line.
 *
 *   node --import tsx tooling/bench/lib/apk-static-worker.ts --mode inspect|listing FILE.apk...
 */
import { parseArgs } from 'node:util';

const importStart = process.hrtime.bigint();
const apps = await import('../../../product/evidence/apps/index.js');
const { loadBuiltInSdkCatalogue, readCompiledSdkCatalogue } = await import('../../../product/evidence/catalogue/compiled-sdk-catalogue.js');
const { emitWorkerResult } = await import('./worker-output.js');
const { ApkRunResult } = await import('./apk-static-result.js');
// What inspectApp does without a catalogue option, here so it counts as set-up, not as a file.
const catalogue = await loadBuiltInSdkCatalogue();
const importMs = Number(process.hrtime.bigint() - importStart) / 1e6;

type FileResult = import('./apk-static-result.js').ApkFileResult;

/** classes.dex, classes2.dex...: the entries a device loads code from. */
const DEX_ENTRY = /^classes\d*\.dex$/;

async function inspect(file: string): Promise<Omit<FileResult, 'ms'>> {
  const { facts } = await apps.inspectApp(file, { catalogue });
  return {
    file,
    package: facts.manifest.packageName,
    permissions: [...new Set(facts.manifest.permissions.map((p) => p.name))].sort(),
    classDefs: facts.dex.classes,
  };
}

async function listing(file: string): Promise<Omit<FileResult, 'ms'>> {
  const manifest = await apps.readApkManifest(file);
  const names = await apps.withArchive(file, async (archive) => {
    const out: string[] = [];
    for (const e of archive.entries) {
      if (DEX_ENTRY.test(e.name)) out.push(...apps.dexClassNames(await archive.read(e.name, apps.DEFAULT_MAX_DEX_BYTES)));
    }
    return out;
  });
  return {
    file,
    package: manifest.packageName,
    permissions: [...new Set(manifest.permissions.map((p) => p.name))].sort(),
    classes: [...new Set(names)].sort(),
    classDefs: names.length,
  };
}

const { values, positionals } = parseArgs({ options: { mode: { type: 'string' } }, allowPositionals: true });
const mode = values.mode === 'listing' ? listing : values.mode === 'inspect' ? inspect : undefined;
if (!mode) throw new Error('--mode inspect|listing');
const files: FileResult[] = [];
for (const file of positionals) {
  const start = process.hrtime.bigint();
  const r = await mode(file);
  files.push({ ...r, ms: Number(process.hrtime.bigint() - start) / 1e6 });
}
// Which form of the catalogue this process could use (asked after the timed part).
const catalogueForm = readCompiledSdkCatalogue() ? 'compiled' : 'yaml';
emitWorkerResult(ApkRunResult.parse({ tool: `consentry ${values.mode}`, importMs, catalogue: catalogueForm, files }));

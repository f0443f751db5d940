/**
 * Builds the sample APKs the virtual device installs: one APK per
 * lab/sample-apps/*.model.yaml, written to sample-apps/apks/<name>.apk,
 * with the model embedded as assets/consentry-model.yaml and stub classes for its SDKs. Each
 * model is validated whole first (the virtual device's schema, SDK ids of the product's catalogue).
 * Signed with the committed test-only key (product/evidence/apps/test-support/keys/): never for release.
 *
 *   npx tsx tooling/scripts/build-sample-apks.ts [--models DIR] [--out DIR]
 *
 * Builds are deterministic (fixed zip times, RSA key), so rebuilding unchanged models leaves
 * the committed APKs byte-identical.
 */
import { copyFile, mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage } from '../../product/core/errors.js';
import { apktoolAvailable, buildTestApk } from '../../product/evidence/apps/test-support/index.js';
import { apkNameForModel, specFromModelFile } from '../../lab/sample-apps/model-apk.js';
import { digest } from '../../product/evidence/apps/index.js';
import { SAMPLE_APPS_DIR } from '../../lab/sample-apps/index.js';
import { loadSdkCatalogue } from '../../product/evidence/catalogue/sdk-catalogue.js';
import { parseModel } from '../../lab/virtual-device/models/load-model.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { models: { type: 'string', default: SAMPLE_APPS_DIR }, out: { type: 'string' } },
  });
  const modelsDir = values.models!;
  const outDir = values.out ?? join(modelsDir, 'apks');
  if (!(await apktoolAvailable())) {
    console.error('build-sample-apks: apktool is not installed (run tooling/scripts/setup.sh)');
    return 3;
  }
  const models = (await readdir(modelsDir)).filter((n) => /\.model\.ya?ml$/.test(n)).sort();
  if (models.length === 0) {
    console.error(`build-sample-apks: no *.model.yaml in ${modelsDir}`);
    return 2;
  }
  await mkdir(outDir, { recursive: true });
  let failed = 0;
  const catalogue = loadSdkCatalogue();
  for (const name of models) {
    const file = join(modelsDir, name);
    try {
      // The whole model, as the virtual device will read it, with SDK ids the product knows:
      // a broken model fails here, not as a blank app on the device.
      parseModel(await readFile(file, 'utf8'), file, { knownSdk: (id) => catalogue.byId(id) !== undefined });
      const apk = await buildTestApk(await specFromModelFile(file));
      const dest = join(outDir, apkNameForModel(file));
      await copyFile(apk, dest);
      const { size, sha256 } = await digest(dest);
      console.log(`${dest}  ${size} bytes  sha256 ${sha256}`);
    } catch (err) {
      failed += 1;
      console.error(`build-sample-apks: ${file}: ${errorMessage(err)}`);
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = await main();

import { join } from 'node:path';
import { compilePackerCatalogue } from '../../../product/evidence/catalogue/packer-catalogue.js';
import { compileSdkCatalogue } from '../../../product/evidence/catalogue/sdk-catalogue.js';
import { prepareWorker, type PreparedWorker } from './child.js';

/**
 * Compiles the APK static-analysis worker as consentry ships, before any timing starts: like
 * every benchmark worker (child.ts), plus what `npm run build` writes beside the compiled
 * catalogue modules (dist/product/evidence/catalogue/*.compiled.json), here beside the worker's chunks.
 */
export function prepareApkStaticWorker(workerFile: URL): Promise<PreparedWorker> {
  return prepareWorker(workerFile, {
    besideWorker: (dir) => {
      compileSdkCatalogue(undefined, join(dir, 'sdks.compiled.json'));
      compilePackerCatalogue(undefined, join(dir, 'packers.compiled.json'));
    },
  });
}

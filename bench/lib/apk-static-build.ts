import { join } from 'node:path';
import { compileSdkCatalogue } from '../../harness/catalogue/sdk-catalogue.js';
import { prepareWorker, type PreparedWorker } from './child.js';

/**
 * Compiles the APK static-analysis worker as consentry ships, before any timing starts: like
 * every benchmark worker (child.ts), plus what `npm run build` writes beside the compiled
 * catalogue module (dist/harness/catalogue/sdks.compiled.json), here beside the worker's chunks.
 */
export function prepareApkStaticWorker(workerFile: URL): Promise<PreparedWorker> {
  return prepareWorker(workerFile, { besideWorker: (dir) => void compileSdkCatalogue(undefined, join(dir, 'sdks.compiled.json')) });
}

import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../product/core/paths.js';

/**
 * Where the lab's sample apps live: their behaviour models (*.model.yaml, the ground truth in
 * README.md) and the APKs built from them (apks/, by tooling/scripts/build-sample-apks.ts). Found
 * from the package root so that the same path serves source runs and the build.
 */
export const SAMPLE_APPS_DIR = join(PACKAGE_ROOT, 'lab', 'sample-apps');
export const SAMPLE_APKS_DIR = join(SAMPLE_APPS_DIR, 'apks');

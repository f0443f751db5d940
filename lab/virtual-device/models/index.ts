/** App behaviour models: schema, loader, and the built-in sample apps. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModelFile } from './load-model.js';
import type { AppModel } from './schema.js';
import { SAMPLE_APPS_DIR } from '../../sample-apps/index.js';

export * from './schema.js';
export { loadModelFile, parseModel } from './load-model.js';

export interface SampleApp {
  file: string;
  model: AppModel;
}

/** The sample app models shipped in lab/sample-apps (*.model.yaml). */
export function loadSampleApps(dir: string = SAMPLE_APPS_DIR): SampleApp[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.model.yaml'))
    .sort()
    .map((name) => {
      const file = join(dir, name);
      return { file, model: loadModelFile(file) };
    });
}

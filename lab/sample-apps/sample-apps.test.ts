import { describe, expect, it } from 'vitest';
import { loadSdkCatalogue } from '../../product/evidence/catalogue/sdk-catalogue.js';
import { loadSampleApps } from '../virtual-device/models/index.js';
import { parseModel } from '../virtual-device/models/load-model.js';
import { readFileSync } from 'node:fs';

/**
 * The simulator treats a model's SDK ids as labels; the sample apps are also the product's
 * ground truth, so their SDK ids (and the SDKs their policies declare) must be ids of the
 * product's SDK catalogue, or the expected findings would name SDKs the product cannot know.
 */
describe('sample apps', () => {
  it('name only SDKs of the product catalogue', () => {
    const catalogue = loadSdkCatalogue();
    const samples = loadSampleApps();
    expect(samples.length).toBeGreaterThanOrEqual(7);
    for (const { file } of samples) {
      expect(() => parseModel(readFileSync(file, 'utf8'), file, { knownSdk: (id) => catalogue.byId(id) !== undefined }), file).not.toThrow();
    }
  });
});

export * from '../../contracts/bundle-schema.js';
export { BundleWriter } from './writer.js';
export { readBundle, readRunMeta, readStream, bodyPath, BundleDamagedError, type Bundle, type BundleProblem } from './reader.js';

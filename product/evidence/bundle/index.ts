export * from '../../contracts/bundle-schema.js';
export { BundleWriter } from './writer.js';
export {
  readBundle,
  readRunMeta,
  readStream,
  bodyPath,
  readBody,
  readFindings,
  readBundleFile,
  openBundleReadStream,
  bundleFileStatus,
  BundleDamagedError,
  type Bundle,
  type BundleFileStatus,
  type BundleProblem,
} from './reader.js';

/**
 * Test support shipped with the code: real APKs built from a spec (apktool + zipalign +
 * apksigner with a committed test-only key), split containers, and hostile variants.
 */
export {
  apktoolAvailable,
  buildTestApk,
  defaultCacheDir,
  testKey,
  type BuildOptions,
  type TestApkSpec,
  type TestComponent,
  type TestKey,
  type TestKeyName,
} from './apk-builder.js';
export { buildTestApks, buildTestXapk, type SplitSet, type XapkOptions } from './containers.js';
export { buildHostileApk, HOSTILE_BASE_SPEC, HOSTILE_KINDS, type HostileKind } from './hostile-apks.js';
export { patchBytes, readZipItems, writeZip, type ZipItem } from './zip-edit.js';

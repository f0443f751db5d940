/**
 * App intake and static analysis: the public surface of product/evidence/apps.
 *
 *   intakeApp(file)        APK / .apks / XAPK → AppPackage (files to install, in order, with digests)
 *   inspectApp(file)       → AppFacts (manifest, permissions, components, signing, ABIs, SDKs)
 *   readApkManifest(apk)   → ManifestFacts of one APK file (what the virtual device needs at install)
 *   scanSdks(dexBuffers)   → catalogued SDKs present in DEX files
 *   PackerScan             → protectors (packers) an APK is wrapped in (AppFacts.packers)
 */
export { APP_ERROR_CODES, AppInputError, type AppErrorCode } from './errors.js';
export {
  digest,
  intakeApp,
  removeAppPackage,
  splitsForAbis,
  type AppFile,
  type AppKind,
  type AppPackage,
  type IntakeOptions,
  type ObbFile,
} from './intake.js';
export { inspectApp, DEFAULT_MAX_DEX_BYTES, type Inspection, type InspectOptions } from './static-facts.js';
export { readApkManifest, readApkManifestBuffer, manifestFacts, resolveClass, MANIFEST_ENTRY } from './manifest.js';
export { scanSdks, sdksForClasses, SdkScan } from './sdk-scan.js';
export { PACKED_SDK_CAVEAT, PackerScan } from './packer-scan.js';
export { dexClassNames, DexFormatError } from './dex.js';
export {
  DANGEROUS_PERMISSIONS,
  dangerousPermission,
  isDangerousPermission,
  type DangerousPermission,
} from './dangerous-permissions.js';
export { readSigning, readSigningBlock } from './signing.js';
export { checkReference, identityDigests, loadSigningReference, type SigningReference } from './reference.js';
export { DEFAULT_ARCHIVE_LIMITS, ZipArchive, withArchive, type ArchiveLimits } from './zip-archive.js';
export {
  APP_FACTS_VERSION,
  AppFacts,
  ComponentFacts,
  ManifestFacts,
  PackerEvidence,
  PackerHit,
  ReferenceCheck,
  RequestedPermission,
  SdkHit,
  SigningCertificate,
  SigningFacts,
} from './facts-schema.js';

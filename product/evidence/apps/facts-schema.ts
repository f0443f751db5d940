import { z } from 'zod';
import { PACKER_SIGNATURE_KINDS } from '../catalogue/packer-lookup.js';

/**
 * The static facts about an app, as `consentry inspect --json` prints them and as other stages
 * (device install, run meta, policy rules) consume them. One schema, so a facts document
 * written by one version can be checked when another reads it.
 */
export const APP_FACTS_VERSION = 1;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const ComponentKind = z.enum(['activity', 'activity-alias', 'service', 'receiver', 'provider']);
export type ComponentKind = z.infer<typeof ComponentKind>;

export const ComponentFacts = z.object({
  kind: ComponentKind,
  name: z.string(),
  exported: z.boolean(),
  /** How `exported` was decided: written in the manifest, or the platform default. */
  exportedSource: z.enum(['explicit', 'implied-by-intent-filter', 'default']),
  intentFilters: z.number().int().nonnegative(),
  permission: z.string().optional(),
  enabled: z.boolean(),
  /** activity-alias only. */
  targetActivity: z.string().optional(),
});
export type ComponentFacts = z.infer<typeof ComponentFacts>;

export const RequestedPermission = z.object({
  name: z.string(),
  maxSdkVersion: z.number().int().optional(),
  dangerous: z.boolean(),
  group: z.string().optional(),
});
export type RequestedPermission = z.infer<typeof RequestedPermission>;

export const ManifestFacts = z.object({
  packageName: z.string(),
  versionCode: z.number().int().optional(),
  versionName: z.string().optional(),
  /** Set on a split APK's manifest (`split="config.arm64_v8a"`); absent on the base. */
  splitName: z.string().optional(),
  minSdk: z.number().int(),
  targetSdk: z.number().int(),
  compileSdk: z.number().int().optional(),
  permissions: z.array(RequestedPermission),
  components: z.array(ComponentFacts),
  /** <instrumentation> entries (test APKs such as the UiAutomator2 server's). */
  instrumentations: z.array(z.object({ name: z.string(), targetPackage: z.string() })),
  applicationClass: z.string().optional(),
  launcherActivity: z.string().optional(),
  /** Literal android:label, when it is not a resource reference. */
  label: z.string().optional(),
  debuggable: z.boolean(),
  allowBackup: z.boolean(),
  /** android:usesCleartextTraffic as written; undefined when absent. */
  usesCleartextTraffic: z.boolean().optional(),
  /** What the platform allows without a network security config (API 28 flipped the default). */
  cleartextPermitted: z.boolean(),
  networkSecurityConfig: z.boolean(),
  /** Values dropped because they are not valid names (kept printable, for the report). */
  warnings: z.array(z.string()),
});
export type ManifestFacts = z.infer<typeof ManifestFacts>;

export const SigningCertificate = z.object({
  sha256: Sha256Hex,
  sha1: z.string().regex(/^[0-9a-f]{40}$/),
  subject: z.string(),
  issuer: z.string(),
  serialNumber: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  /** Schemes whose signer carries this certificate. */
  schemes: z.array(z.enum(['v1', 'v2', 'v3', 'v3.1'])),
});
export type SigningCertificate = z.infer<typeof SigningCertificate>;

export const SigningFacts = z.object({
  /** Schemes present in the APK. Presence, not cryptographic verification (apksigner does that). */
  schemes: z.object({ v1: z.boolean(), v2: z.boolean(), v3: z.boolean(), v31: z.boolean() }),
  certificates: z.array(SigningCertificate),
});
export type SigningFacts = z.infer<typeof SigningFacts>;

export const SdkHit = z.object({
  id: z.string(),
  name: z.string(),
  vendor: z.string(),
  category: z.string(),
  /** Matched package prefixes and how many classes each holds. */
  packages: z.array(z.object({ prefix: z.string(), classes: z.number().int().positive() })),
  /** Up to five class names, as evidence. */
  examples: z.array(z.string()),
});
export type SdkHit = z.infer<typeof SdkHit>;

/** One name in the APK that matched a protector's signature (packers.yaml). */
export const PackerEvidence = z.object({
  kind: z.enum(PACKER_SIGNATURE_KINDS),
  /** The entry name (lib/arm64-v8a/libjiagu_a64.so) or class name that matched. */
  value: z.string(),
});
export type PackerEvidence = z.infer<typeof PackerEvidence>;

export const PackerHit = z.object({
  id: z.string(),
  name: z.string(),
  vendor: z.string(),
  evidence: z.array(PackerEvidence),
});
export type PackerHit = z.infer<typeof PackerHit>;

export const AppFileFacts = z.object({
  /** Path as given / as extracted. */
  path: z.string(),
  role: z.enum(['base', 'split', 'obb']),
  splitName: z.string().optional(),
  size: z.number().int().nonnegative(),
  sha256: Sha256Hex,
});
export type AppFileFacts = z.infer<typeof AppFileFacts>;

export const ReferenceCheck = z.object({
  /** What the reference was: a digest typed in, a certificate file or another APK. */
  source: z.enum(['digest', 'certificate', 'apk']),
  reference: z.string(),
  expectedSha256: z.array(Sha256Hex),
  actualSha256: z.array(Sha256Hex),
  /** true: same signer; false: repackaged or re-signed (INTEGRITY-REPACKAGED). */
  matches: z.boolean(),
});
export type ReferenceCheck = z.infer<typeof ReferenceCheck>;

export const AppFacts = z.object({
  factsVersion: z.literal(APP_FACTS_VERSION),
  source: z.string(),
  kind: z.enum(['apk', 'apks', 'xapk']),
  files: z.array(AppFileFacts),
  manifest: ManifestFacts,
  signing: SigningFacts,
  nativeAbis: z.array(z.string()),
  dex: z.object({ files: z.number().int().nonnegative(), classes: z.number().int().nonnegative() }),
  sdks: z.array(SdkHit),
  /**
   * Protectors (packers) the APK is wrapped in; empty when none was recognised. Facts written
   * before packers were detected read as empty: absence of evidence, as for any APK.
   */
  packers: z.array(PackerHit).default([]),
  /** Set when `sdks` cannot be the whole list (a packed APK): a sentence for the reader. */
  sdkCaveat: z.string().optional(),
  reference: ReferenceCheck.optional(),
});
export type AppFacts = z.infer<typeof AppFacts>;

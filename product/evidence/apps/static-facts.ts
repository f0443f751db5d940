import { loadBuiltInPackerCatalogue } from '../catalogue/compiled-packer-catalogue.js';
import { loadBuiltInSdkCatalogue } from '../catalogue/compiled-sdk-catalogue.js';
import type { PackerCatalogue } from '../catalogue/packer-lookup.js';
import type { SdkCatalogue } from '../catalogue/sdk-lookup.js';
import type { Logger } from '../../core/logger.js';
import { DexFormatError, dexEntryNames } from './dex.js';
import { AppInputError } from './errors.js';
import { APP_FACTS_VERSION, type AppFacts, type SigningFacts } from './facts-schema.js';
import { intakeApp, removeAppPackage, type AppPackage, type IntakeOptions } from './intake.js';
import { PACKED_SDK_CAVEAT, PackerScan } from './packer-scan.js';
import { checkReference, loadSigningReference } from './reference.js';
import { SdkScan } from './sdk-scan.js';
import { readSigning } from './signing.js';
import { withArchive, type ZipArchive } from './zip-archive.js';

/**
 * Static facts about an app, without the JDK and in bounded memory: one DEX file is in memory
 * at a time (capped), the manifest is capped, everything else is read from the central
 * directory.
 */
export interface InspectOptions extends IntakeOptions {
  catalogue?: SdkCatalogue;
  /** Protector signatures (packers.yaml); the built-in catalogue by default. */
  packers?: PackerCatalogue;
  /** A digest, certificate file or APK to compare the signer with. */
  reference?: string;
  /** Largest single DEX consentry reads (the biggest real ones are tens of MB). */
  maxDexBytes?: number;
  /** Keep the extracted parts (for install); otherwise they are deleted. */
  keepFiles?: boolean;
  logger?: Logger;
}

export const DEFAULT_MAX_DEX_BYTES = 128 * 1024 * 1024;

export interface Inspection {
  facts: AppFacts;
  /** The intake result; its workDir is gone unless keepFiles was set. */
  pkg: AppPackage;
}

export async function inspectApp(file: string, options: InspectOptions = {}): Promise<Inspection> {
  // Neither a logger nor the YAML catalogue is loaded unless needed: for a small APK the
  // start-up of a fresh process is most of `consentry inspect`'s time.
  const catalogue = options.catalogue ?? (await loadBuiltInSdkCatalogue());
  const packerCatalogue = options.packers ?? (await loadBuiltInPackerCatalogue());
  const maxDex = options.maxDexBytes ?? DEFAULT_MAX_DEX_BYTES;
  const pkg = await intakeApp(file, options);
  try {
    const base = pkg.files[0]!;
    let signing: SigningFacts | undefined;
    const scan = new SdkScan(catalogue);
    const packerScan = new PackerScan(packerCatalogue);
    packerScan.addManifest(base.manifest);
    const abis = new Set<string>();
    let dexFiles = 0;
    for (const f of pkg.files) {
      await withArchive(
        f.path,
        async (archive) => {
          if (f === base) signing = await readSigning(archive);
          for (const abi of nativeAbis(archive)) abis.add(abi);
          packerScan.addEntries(archive.entries);
          for (const name of dexEntryNames(archive.entries)) {
            dexFiles += 1;
            scanDex(scan, await archive.read(name, maxDex), archive.file, name);
          }
        },
        options.limits,
      );
    }
    if (!signing) throw new Error('unreachable: the base APK was not read');
    const reference = options.reference
      ? checkReference(signing, await loadSigningReference(options.reference))
      : undefined;
    for (const [name, example] of scan.packages()) packerScan.addDexPackage(name, example);
    const packers = packerScan.result();
    options.logger?.debug({ app: pkg.packageName, files: pkg.files.length, classes: scan.classes, packers: packers.map((p) => p.id) }, 'inspected');
    const facts: AppFacts = {
      factsVersion: APP_FACTS_VERSION,
      source: pkg.source,
      kind: pkg.kind,
      files: [
        ...pkg.files.map((f) => ({
          path: f.path,
          role: f.role,
          ...(f.splitName !== undefined ? { splitName: f.splitName } : {}),
          size: f.size,
          sha256: f.sha256,
        })),
        ...pkg.obbs.map((o) => ({ path: o.path, role: 'obb' as const, size: o.size, sha256: o.sha256 })),
      ],
      manifest: base.manifest,
      signing,
      nativeAbis: [...abis].sort(),
      dex: { files: dexFiles, classes: scan.classes },
      sdks: scan.result(),
      packers,
      ...(packers.length > 0 ? { sdkCaveat: PACKED_SDK_CAVEAT } : {}),
      ...(reference ? { reference } : {}),
    };
    return { facts, pkg };
  } finally {
    if (!options.keepFiles) await removeAppPackage(pkg);
  }
}

function scanDex(scan: SdkScan, buf: Buffer, file: string, entry: string): void {
  try {
    scan.addDex(buf);
  } catch (err) {
    if (err instanceof DexFormatError) {
      throw new AppInputError('APP_DEX_INVALID', `not a valid DEX file: ${err.message}`, { file, field: entry, cause: err });
    }
    throw err;
  }
}

/** ABIs with native libraries: lib/<abi>/<name>.so (aapt's "native-code"). */
export function nativeAbis(archive: ZipArchive): string[] {
  const abis = new Set<string>();
  for (const e of archive.entries) {
    const m = /^lib\/([^/]+)\/[^/]+$/.exec(e.name);
    if (m) abis.add(m[1]!);
  }
  return [...abis].sort();
}

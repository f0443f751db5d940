import { readApkManifestBuffer, type AppErrorCode, type ManifestFacts } from '../../apps/index.js';
import { AppInputError } from '../../apps/index.js';
import { PackageManagerFailure } from './android-errors.js';

/**
 * What the package manager needs from an APK's AndroidManifest.xml, read with harness/apps'
 * bounded reader (caps on entries, sizes and ratios; a binary-XML parser that cannot loop), so a
 * hostile APK pushed to the virtual device fails its install like on a phone instead of hanging
 * or exhausting the host.
 */
export interface ApkInfo {
  packageName: string;
  versionCode: number;
  versionName: string;
  minSdk: number | undefined;
  targetSdk: number | undefined;
  permissions: string[];
  activities: string[];
  /** The MAIN/LAUNCHER activity, fully qualified. */
  launchActivity: string | undefined;
  /** <instrumentation android:name targetPackage> entries. */
  instrumentations: { name: string; targetPackage: string }[];
  /** split="..." of a split APK; undefined for the base APK. */
  split: string | undefined;
}

function toApkInfo(m: ManifestFacts): ApkInfo {
  return {
    packageName: m.packageName,
    versionCode: m.versionCode ?? 0,
    versionName: m.versionName ?? '',
    minSdk: m.minSdk,
    targetSdk: m.targetSdk,
    permissions: m.permissions.map((p) => p.name),
    activities: m.components.filter((c) => c.kind === 'activity' || c.kind === 'activity-alias').map((c) => c.name),
    launchActivity: m.launcherActivity,
    instrumentations: m.instrumentations,
    split: m.splitName,
  };
}

/**
 * The failure PackageManagerService reports for what the reader refused, in its words
 * (ApkLiteParseUtils / ParsingPackageUtils on Android 11+): an archive the asset manager cannot
 * open is NOT_APK, a manifest it cannot parse is UNEXPECTED_EXCEPTION naming the manifest, a bad
 * package name is BAD_PACKAGE_NAME. Decided from the reader's error code, never its message.
 */
function installFailure(code: AppErrorCode, field: string | undefined, stagedPath: string): PackageManagerFailure {
  switch (code) {
    case 'APP_MANIFEST_INVALID':
      return new PackageManagerFailure('INSTALL_PARSE_FAILED_UNEXPECTED_EXCEPTION', `Failed to parse ${stagedPath}: AndroidManifest.xml`);
    case 'APP_MANIFEST_VALUE':
      if (field?.endsWith('manifest@package')) {
        return new PackageManagerFailure('INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME', 'Invalid manifest package');
      }
      return new PackageManagerFailure('INSTALL_PARSE_FAILED_MANIFEST_MALFORMED', `Failed to parse ${stagedPath}: bad ${field ?? 'value'}`);
    default:
      // Not a zip, truncated, traversing names, bombs and oversized entries: libandroidfw
      // refuses the archive before any manifest is read.
      return new PackageManagerFailure('INSTALL_PARSE_FAILED_NOT_APK', `Failed to parse ${stagedPath}: Failed to load asset path ${stagedPath}`);
  }
}

/**
 * Reads one APK of an install. `stagedPath` is where the installer staged it
 * (/data/app/vmdlSESSION.tmp/base.apk), which Android's failure messages name.
 * Throws PackageManagerFailure for anything the reader refuses.
 */
export async function readApkInfo(apk: Buffer, stagedPath: string): Promise<ApkInfo> {
  try {
    return toApkInfo(await readApkManifestBuffer(apk, stagedPath));
  } catch (err) {
    if (err instanceof AppInputError) throw installFailure(err.code as AppErrorCode, err.field, stagedPath);
    throw err;
  }
}

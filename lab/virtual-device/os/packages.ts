import { randomBytes, randomInt } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { isValidPackageName, printable } from '../../../product/core/untrusted.js';
import { errorMessage } from '../../../product/core/errors.js';
import type { InstalledPackage } from '../contracts.js';
import { AndroidException, PackageManagerFailure, unknownPackage } from './android-errors.js';
import { readApkInfo, type ApkInfo } from './apk-manifest.js';
import type { VirtualFs } from './filesystem.js';
import { isRuntimePermission } from './permissions.js';
import { parseModel } from '../models/load-model.js';
import { MODEL_ASSET_PATH } from '../models/schema.js';

/** A package record with what `dumpsys package` and `am start` also need. */
export interface PackageRecord extends InstalledPackage {
  activities: string[];
  targetSdk: number | undefined;
  minSdk: number | undefined;
  codePath: string;
  lastUpdateTime: number;
  installer: string | undefined;
  instrumentations: { name: string; targetPackage: string }[];
  /** Split names, in install order. */
  splitNames: string[];
}

export interface ApkInput {
  /** Split name ("base" for the base APK), as `pm install-write` receives it. */
  name: string;
  bytes: Buffer;
}

export interface InstallOptions {
  /** -d: allow a lower versionCode. */
  allowDowngrade?: boolean;
  /** -g: grant all runtime permissions. */
  grantAll?: boolean;
  installer?: string;
}

/** A single APK is staged as base.apk; a session's files keep their split names. */
function stagedName(name: string, count: number): string {
  if (count === 1 || name === 'base') return 'base.apk';
  const safe = posix.basename(name).replace(/[^A-Za-z0-9_.-]/g, '_');
  return safe.endsWith('.apk') ? safe : `${safe}.apk`;
}

/** The apps preinstalled on the image: listed by pm, never third-party. */
const SYSTEM_PACKAGES: [string, number, string | undefined][] = [
  ['android', 1000, undefined],
  ['com.android.settings', 1000, 'com.android.settings.Settings'],
  ['com.android.systemui', 10098, undefined],
  ['com.android.phone', 1001, undefined],
  ['com.android.shell', 2000, undefined],
  ['com.android.permissioncontroller', 10060, undefined],
  ['com.android.providers.settings', 1000, undefined],
  ['com.android.chrome', 10110, 'com.google.android.apps.chrome.Main'],
  ['com.google.android.apps.nexuslauncher', 10123, 'com.google.android.apps.nexuslauncher.NexusLauncherActivity'],
  ['com.google.android.inputmethod.latin', 10130, undefined],
  ['com.google.android.gms', 10140, undefined],
];

/**
 * The package manager: installs APKs (their manifest read from the bytes), keeps runtime
 * permission state, and stores each APK both on the device (/data/app/...) and on the host
 * (hostApkPaths, for the app runtime to read the model bundled with it).
 */
export class PackageManager {
  private readonly packages = new Map<string, PackageRecord>();
  private nextUid = 10200;

  constructor(
    private readonly fs: VirtualFs,
    /** Host directory for APK bytes; removed by dispose(). */
    private readonly storageDir: string,
    private readonly clock: () => number,
  ) {
    for (const [name, uid, launch] of SYSTEM_PACKAGES) {
      const codePath = `/system/priv-app/${name.split('.').pop() ?? name}`;
      this.packages.set(name, {
        packageName: name,
        versionCode: 33,
        versionName: '13',
        uid,
        apkPaths: [`${codePath}/${name.split('.').pop() ?? name}.apk`],
        hostApkPaths: [],
        requestedPermissions: [],
        granted: new Set(),
        userFixed: new Set(),
        firstInstallTime: 1_230_768_000_000,
        system: true,
        launchActivity: launch,
        activities: launch ? [launch] : [],
        targetSdk: 33,
        minSdk: 33,
        codePath,
        lastUpdateTime: 1_230_768_000_000,
        installer: undefined,
        instrumentations: [],
        splitNames: [],
      });
    }
  }

  get(name: string): PackageRecord | undefined {
    return this.packages.get(name);
  }

  require(name: string): PackageRecord {
    const pkg = this.packages.get(name);
    if (!pkg) throw unknownPackage(name);
    return pkg;
  }

  list(): PackageRecord[] {
    return [...this.packages.values()].sort((a, b) => a.packageName.localeCompare(b.packageName));
  }

  /** Installs a base APK and optional splits; replaces an installed version (pm's -r is implied). */
  async install(apks: ApkInput[], options: InstallOptions = {}): Promise<PackageRecord> {
    if (apks.length === 0) throw new PackageManagerFailure('INSTALL_FAILED_INVALID_APK', 'No APKs in session');
    const infos: ApkInfo[] = [];
    // The installer stages a session's files as /data/app/vmdlSESSION.tmp/NAME.apk; failures name them.
    const staging = `/data/app/vmdl${randomInt(100_000_000, 2_000_000_000)}.tmp`;
    for (const apk of apks) {
      const staged = `${staging}/${stagedName(apk.name, apks.length)}`;
      try {
        infos.push(await readApkInfo(apk.bytes, staged));
      } catch (err) {
        if (err instanceof PackageManagerFailure) throw err;
        throw new PackageManagerFailure('INSTALL_PARSE_FAILED_NOT_APK', `Failed to parse ${staged}: ${printable(errorMessage(err)).slice(0, 200)}`);
      }
    }
    const baseIndex = Math.max(0, infos.findIndex((i) => i.split === undefined));
    const base = infos[baseIndex]!;
    // A lab APK whose behaviour model does not parse is a broken package, refused at install
    // like a malformed manifest, never installed as a blank app that hides the mistake.
    if (base.modelText !== undefined) {
      const staged = `${staging}/${stagedName(apks[baseIndex]!.name, apks.length)}`;
      try {
        parseModel(base.modelText, MODEL_ASSET_PATH);
      } catch (err) {
        throw new PackageManagerFailure('INSTALL_PARSE_FAILED_MANIFEST_MALFORMED', `Failed to parse ${staged}: ${printable(errorMessage(err)).slice(0, 300)}`);
      }
    }
    if (!isValidPackageName(base.packageName)) {
      throw new PackageManagerFailure('INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME', `Invalid manifest package: ${printable(base.packageName)}`);
    }
    for (const info of infos) {
      if (info.packageName !== base.packageName) {
        throw new PackageManagerFailure('INSTALL_FAILED_INVALID_APK', `Split ${printable(info.split ?? '?')} has mismatched package name`);
      }
    }
    const existing = this.packages.get(base.packageName);
    if (existing?.system) {
      throw new PackageManagerFailure('INSTALL_FAILED_UPDATE_INCOMPATIBLE', `Package ${base.packageName} is a system package`);
    }
    if (existing && base.versionCode < existing.versionCode && !options.allowDowngrade) {
      throw new PackageManagerFailure(
        'INSTALL_FAILED_VERSION_DOWNGRADE',
        `Downgrade detected: Update version code ${base.versionCode} is older than current ${existing.versionCode}`,
      );
    }
    const token = randomBytes(8).toString('base64url');
    const codePath = `/data/app/~~${randomBytes(8).toString('base64url')}==/${base.packageName}-${token}==`;
    const hostDir = join(this.storageDir, `${base.packageName}-${token}`);
    await mkdir(hostDir, { recursive: true });
    const apkPaths: string[] = [];
    const hostApkPaths: string[] = [];
    const splitNames: string[] = [];
    const ordered = [apks[baseIndex]!, ...apks.filter((_, i) => i !== baseIndex)];
    const orderedInfos = [base, ...infos.filter((_, i) => i !== baseIndex)];
    for (const [i, apk] of ordered.entries()) {
      const split = orderedInfos[i]!.split;
      const fileName = split ? `split_${split.replace(/[^A-Za-z0-9_.-]/g, '_')}.apk` : 'base.apk';
      if (split) splitNames.push(split);
      const hostPath = join(hostDir, fileName);
      await writeFile(hostPath, apk.bytes);
      hostApkPaths.push(hostPath);
      apkPaths.push(`${codePath}/${fileName}`);
      this.fs.writeFile(`${codePath}/${fileName}`, apk.bytes, { system: true });
    }
    if (existing) await this.discardFiles(existing);
    const now = this.clock();
    const requested = [...new Set(orderedInfos.flatMap((i) => i.permissions))];
    // An update keeps the user's grants for permissions the new version still requests.
    const granted = new Set([...(existing?.granted ?? [])].filter((p) => requested.includes(p)));
    for (const p of requested) {
      if (!isRuntimePermission(p) || options.grantAll) granted.add(p);
    }
    const record: PackageRecord = {
      packageName: base.packageName,
      versionCode: base.versionCode,
      versionName: base.versionName,
      uid: existing?.uid ?? this.nextUid++,
      apkPaths,
      hostApkPaths,
      requestedPermissions: requested,
      granted,
      userFixed: existing?.userFixed ?? new Set(),
      firstInstallTime: existing?.firstInstallTime ?? now,
      system: false,
      launchActivity: base.launchActivity,
      activities: base.activities,
      targetSdk: base.targetSdk,
      minSdk: base.minSdk,
      codePath,
      lastUpdateTime: now,
      installer: options.installer,
      instrumentations: base.instrumentations,
      splitNames,
    };
    this.packages.set(record.packageName, record);
    this.fs.mkdirp(`/data/data/${record.packageName}`, { system: true });
    return record;
  }

  /** Registers a package that has no APK (e.g. the UiAutomator2 server a lab preinstalled). */
  addPrebuilt(record: Partial<PackageRecord> & { packageName: string }): PackageRecord {
    const now = this.clock();
    const full: PackageRecord = {
      versionCode: 1,
      versionName: '1.0',
      uid: this.nextUid++,
      apkPaths: [`/data/app/${record.packageName}-1/base.apk`],
      hostApkPaths: [],
      requestedPermissions: [],
      granted: new Set(),
      userFixed: new Set(),
      firstInstallTime: now,
      system: false,
      activities: [],
      targetSdk: undefined,
      minSdk: undefined,
      codePath: `/data/app/${record.packageName}-1`,
      lastUpdateTime: now,
      installer: undefined,
      instrumentations: [],
      splitNames: [],
      ...record,
    };
    this.packages.set(full.packageName, full);
    return full;
  }

  async uninstall(name: string): Promise<PackageRecord> {
    const pkg = this.packages.get(name);
    if (!pkg || pkg.system) throw new PackageManagerFailure('DELETE_FAILED_INTERNAL_ERROR');
    this.packages.delete(name);
    await this.discardFiles(pkg);
    if (this.fs.exists(`/data/data/${name}`)) this.fs.remove(`/data/data/${name}`, { recursive: true });
    return pkg;
  }

  clearData(name: string): PackageRecord {
    const pkg = this.require(name);
    const dataDir = `/data/data/${name}`;
    if (this.fs.exists(dataDir)) this.fs.remove(dataDir, { recursive: true });
    this.fs.mkdirp(dataDir, { system: true });
    // `pm clear` resets runtime permissions to their install state, like a reinstall.
    for (const p of [...pkg.granted]) if (isRuntimePermission(p)) pkg.granted.delete(p);
    pkg.userFixed.clear();
    return pkg;
  }

  /** pm grant/revoke: returns whether the state changed. */
  setPermission(name: string, permission: string, grant: boolean): boolean {
    const pkg = this.require(name);
    if (!pkg.requestedPermissions.includes(permission)) {
      throw new AndroidException(
        'java.lang.SecurityException',
        `Package ${name} has not requested permission ${permission}`,
      );
    }
    if (!isRuntimePermission(permission)) {
      throw new AndroidException(
        'java.lang.SecurityException',
        `Permission ${permission} requested by ${name} is not a changeable permission type`,
      );
    }
    const had = pkg.granted.has(permission);
    if (grant) {
      pkg.granted.add(permission);
      pkg.userFixed.delete(permission);
    } else pkg.granted.delete(permission);
    return had !== grant;
  }

  async dispose(): Promise<void> {
    await rm(this.storageDir, { recursive: true, force: true });
  }

  private async discardFiles(pkg: PackageRecord): Promise<void> {
    if (this.fs.exists(pkg.codePath)) this.fs.remove(pkg.codePath, { recursive: true });
    for (const p of pkg.hostApkPaths) await rm(join(p, '..'), { recursive: true, force: true });
  }
}

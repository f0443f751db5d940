import type { PackageRecord } from '../../os/packages.js';
import { isRuntimePermission } from '../../os/permissions.js';
import type { VirtualPhoneOs } from '../../os/phone-os.js';
import { timeParts } from '../../os/logcat.js';
import { objectId } from './util.js';

function stamp(os: VirtualPhoneOs, ms: number): string {
  const t = timeParts(ms, os.getProp('persist.sys.timezone') ?? 'UTC');
  return `${t.year}-${t.month}-${t.day} ${t.hour}:${t.minute}:${t.second}`;
}

/** The "Packages:" section of `dumpsys package PKG` (PackageManagerService's dump). */
export function dumpPackage(os: VirtualPhoneOs, pkg: PackageRecord): string {
  const id = objectId(pkg.packageName);
  const install = pkg.requestedPermissions.filter((p) => !isRuntimePermission(p));
  const runtime = pkg.requestedPermissions.filter(isRuntimePermission);
  const flags = (p: string) => {
    const f: string[] = [];
    if (pkg.userFixed.has(p)) f.push('USER_SET', 'USER_FIXED');
    return `[ ${f.join('|')} ]`;
  };
  const lines = [
    'Activity Resolver Table:',
    '  Non-Data Actions:',
    '      android.intent.action.MAIN:',
    ...(pkg.launchActivity ? [`        ${objectId(pkg.launchActivity)} ${pkg.packageName}/${pkg.launchActivity.replace(pkg.packageName, '')} filter ${objectId(`${pkg.launchActivity}#f`)}`] : []),
    '',
    'Packages:',
    `  Package [${pkg.packageName}] (${id}):`,
    `    userId=${pkg.uid}`,
    `    pkg=Package{${objectId(`${pkg.packageName}#pkg`)} ${pkg.packageName}}`,
    `    codePath=${pkg.codePath}`,
    `    resourcePath=${pkg.codePath}`,
    '    legacyNativeLibraryDir=' + `${pkg.codePath}/lib`,
    `    primaryCpuAbi=${pkg.system ? 'null' : 'arm64-v8a'}`,
    `    versionCode=${pkg.versionCode} minSdk=${pkg.minSdk ?? 21} targetSdk=${pkg.targetSdk ?? 33}`,
    `    versionName=${pkg.versionName}`,
    `    splits=[base${pkg.splitNames.map((s) => `, ${s}`).join('')}]`,
    `    apkSigningVersion=2`,
    `    flags=[ ${pkg.system ? 'SYSTEM ' : ''}HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]`,
    `    timeStamp=${stamp(os, pkg.lastUpdateTime)}`,
    `    firstInstallTime=${stamp(os, pkg.firstInstallTime)}`,
    `    lastUpdateTime=${stamp(os, pkg.lastUpdateTime)}`,
    `    installerPackageName=${pkg.installer ?? 'null'}`,
    `    dataDir=/data/user/0/${pkg.packageName}`,
    '    requested permissions:',
    ...pkg.requestedPermissions.map((p) => `      ${p}`),
    '    install permissions:',
    ...install.map((p) => `      ${p}: granted=true`),
    `    User 0: ceDataInode=${pkg.uid * 7} installed=true hidden=false suspended=false distractionFlags=0 stopped=false notLaunched=false enabled=0 instant=false virtual=false`,
    '      gids=[3003]',
    '      runtime permissions:',
    ...runtime.map((p) => `        ${p}: granted=${pkg.granted.has(p)}, flags=${flags(p)}`),
    '',
  ];
  return `${lines.join('\n')}\n`;
}

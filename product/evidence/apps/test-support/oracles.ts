import { runProcess } from '../../../core/process.js';

/**
 * The Android SDK tools' own answers, for tests to hold consentry's static facts against:
 * `aapt dump badging`, `apksigner verify --print-certs -v` and `dexdump`.
 */
export interface AaptBadging {
  packageName: string;
  versionCode: number | undefined;
  versionName: string | undefined;
  split: string | undefined;
  minSdk: number | undefined;
  targetSdk: number | undefined;
  permissions: string[];
  launchableActivity: string | undefined;
  /** The default-configuration label (application-label:). */
  label: string | undefined;
  nativeCode: string[];
  debuggable: boolean;
}

export async function aaptBadging(apk: string): Promise<AaptBadging> {
  const { stdout } = await runProcess('aapt', ['dump', 'badging', apk], { timeoutMs: 60_000 });
  const line = (prefix: string) => stdout.split('\n').find((l) => l.startsWith(prefix));
  // aapt quotes values with ' without escaping a ' inside (so a value ends at the next key or
  // the line's end) and escapes " and \ with a backslash (ResTable::normalizeForOutput).
  const q = (text: string | undefined, key: string) => {
    const raw = text ? new RegExp(`(?:^|\\s|:)${key}='(.*?)'(?=\\s+[\\w-]+=|\\s*$)`).exec(text)?.[1] : undefined;
    return raw?.replace(/\\(["\\])/g, '$1');
  };
  const pkg = line('package:');
  const num = (s: string | undefined) => (s === undefined || s === '' ? undefined : Number(s));
  return {
    packageName: q(pkg, 'name') ?? '',
    versionCode: num(q(pkg, 'versionCode')),
    versionName: q(pkg, 'versionName') || undefined,
    split: q(pkg, 'split'),
    minSdk: num(/^sdkVersion:'(\d+)'/m.exec(stdout)?.[1]),
    targetSdk: num(/^targetSdkVersion:'(\d+)'/m.exec(stdout)?.[1]),
    // aapt also prints permissions the platform implies (READ_ with WRITE_EXTERNAL_STORAGE);
    // those carry a uses-implied-permission line and are not in the manifest.
    permissions: [...stdout.matchAll(/^uses-permission: name='([^']+)'/gm)]
      .map((m) => m[1]!)
      .filter((p) => !stdout.includes(`uses-implied-permission: name='${p}'`)),
    launchableActivity: q(line('launchable-activity:'), 'name'),
    label: /^application-label:'(.*)'$/m.exec(stdout)?.[1]?.replace(/\\(["\\])/g, '$1'),
    nativeCode: [...(line('native-code:') ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]!).sort(),
    debuggable: stdout.split('\n').includes('application-debuggable'),
  };
}

export interface ApksignerReport {
  v1: boolean;
  v2: boolean;
  v3: boolean;
  certificateSha256: string[];
}

/**
 * apksigner skips v1 when the APK's minSdk is 24 or more, so v1 is asked separately with
 * --min-sdk-version 21 (which fails outright when the APK has no v1 signature). Not 1: SHA-256
 * JAR signatures do not verify below API 18, and every modern signer uses them.
 */
export async function apksignerReport(apk: string): Promise<ApksignerReport> {
  const run = (extra: string[]) =>
    runProcess('apksigner', ['verify', '--print-certs', '-v', ...extra, apk], { timeoutMs: 120_000, okCodes: [0, 1] });
  const main = await run([]);
  const flag = (text: string, scheme: string) => new RegExp(`Verified using ${scheme} scheme[^:]*: true`).test(text);
  const legacy = await run(['--min-sdk-version', '21']);
  return {
    v1: legacy.code === 0 && flag(legacy.stdout, 'v1'),
    v2: flag(main.stdout, 'v2'),
    v3: flag(main.stdout, 'v3'),
    certificateSha256: [...new Set([...main.stdout.matchAll(/certificate SHA-256 digest: ([0-9a-f]{64})/g)].map((m) => m[1]!))].sort(),
  };
}

/** Class names dexdump finds in every classes*.dex of an APK. */
export async function dexdumpClasses(apk: string): Promise<string[]> {
  const { stdout, stderr, code } = await runProcess('dexdump', [apk], {
    timeoutMs: 120_000,
    maxOutputBytes: 512 * 1024 * 1024,
    okCodes: [0, 1],
  });
  // An APK without code (resources only) has no classes.dex: dexdump says so and exits 1.
  if (code === 1 && /Entry not found/.test(stderr)) return [];
  if (code !== 0) throw new Error(`dexdump failed on ${apk}: ${stderr.trim().split('\n').pop() ?? ''}`);
  return [...stdout.matchAll(/Class descriptor\s*: 'L([^']+);'/g)].map((m) => m[1]!.replace(/\//g, '.'));
}

/** Entry names `aapt list` prints for an APK: what the SDK tools say the archive holds. */
export async function aaptList(apk: string): Promise<string[]> {
  const { stdout } = await runProcess('aapt', ['list', apk], { timeoutMs: 60_000, maxOutputBytes: 64 * 1024 * 1024 });
  return stdout.split('\n').filter((l) => l.length > 0);
}

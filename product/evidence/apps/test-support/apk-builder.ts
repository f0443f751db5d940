import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from '../../../core/process.js';
import { PACKAGE_ROOT } from '../../../core/paths.js';
import type { Logger } from '../../../core/logger.js';
import { safeFileSegment } from '../../../core/untrusted.js';
import { readZipItems, writeZip } from './zip-edit.js';

/**
 * Builds real, signed APKs for tests and sample apps with Debian's tools: a decoded-APK folder
 * (AndroidManifest.xml, smali stubs, assets, lib/) goes through `apktool b` (which compiles
 * the manifest against the framework it bundles, so no android.jar is needed), `zipalign` and
 * `apksigner` (v1+v2+v3) with a committed test-only key. Builds are cached by a hash of
 * everything that goes in, so a test suite pays for each distinct APK once.
 */

export interface TestComponent {
  kind: 'activity' | 'service' | 'receiver' | 'provider';
  /** Fully qualified, or ".Relative" to the package. */
  name: string;
  exported?: boolean;
  /** MAIN + LAUNCHER intent filter. */
  launcher?: boolean;
  /** Extra intent-filter actions (one filter). */
  actions?: string[];
  permission?: string;
  /** Providers only. */
  authorities?: string;
}

export interface TestApkSpec {
  packageName: string;
  versionCode?: number;
  versionName?: string;
  minSdk?: number;
  targetSdk?: number;
  /** Literal android:label. */
  label?: string;
  permissions?: (string | { name: string; maxSdkVersion?: number })[];
  applicationClass?: string;
  debuggable?: boolean;
  usesCleartextTraffic?: boolean;
  /** Contents of res/xml/network_security_config.xml; referenced from the manifest. */
  networkSecurityConfig?: string;
  components?: TestComponent[];
  /** Java classes to define (empty stubs), e.g. com.umeng.analytics.MobclickAgent. */
  classes?: string[];
  /** Path inside assets/ → content. */
  assets?: Record<string, string>;
  /** ABI → library file names (lib/<abi>/<name>), a few bytes each. */
  nativeLibs?: Record<string, string[]>;
  /** Builds a config split (`split="config.xxx"`, no code) instead of a base APK. */
  split?: string;
  /** Signing key; `false` leaves the APK unsigned. Default: the main test key, v1+v2+v3. */
  signing?: false | { key?: TestKeyName; v1?: boolean; v2?: boolean; v3?: boolean };
}

export type TestKeyName = 'consentry-test' | 'consentry-test-other';

export interface TestKey {
  name: TestKeyName;
  keystore: string;
  alias: string;
  password: string;
}

/** Test-only keys committed under product/evidence/apps/test-support/keys (see the README there). */
export function testKey(name: TestKeyName = 'consentry-test'): TestKey {
  return {
    name,
    keystore: join(PACKAGE_ROOT, 'product', 'evidence', 'apps', 'test-support', 'keys', `${name}.p12`),
    alias: name,
    password: 'consentry',
  };
}

export interface BuildOptions {
  cacheDir?: string;
  logger?: Logger;
}

// Bump when the generated project layout changes, so stale cached APKs are not reused.
const BUILDER_VERSION = 5;

export function defaultCacheDir(): string {
  return join(tmpdir(), 'consentry-apk-cache');
}

/** Is apktool installed? Tests skip (with a message) only when it is not. */
export async function apktoolAvailable(): Promise<boolean> {
  try {
    await runProcess('apktool', ['--version'], { timeoutMs: 60_000 });
    return true;
  } catch {
    return false;
  }
}

// One build at a time per process: apktool is a JVM (two cores on a busy machine), and its
// first run unpacks its framework file, which concurrent first runs would race on.
let queue: Promise<unknown> = Promise.resolve();
function serially<T>(fn: () => Promise<T>): Promise<T> {
  const next = queue.then(fn, fn);
  queue = next.catch(() => undefined);
  return next;
}

export async function buildTestApk(spec: TestApkSpec, options: BuildOptions = {}): Promise<string> {
  return serially(() => build(spec, options));
}

async function build(spec: TestApkSpec, options: BuildOptions): Promise<string> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const signing = spec.signing === false ? false : { key: 'consentry-test' as const, v1: true, v2: true, v3: true, ...spec.signing };
  const key = signing ? testKey(signing.key) : undefined;
  const hash = createHash('sha256')
    .update(JSON.stringify({ BUILDER_VERSION, spec, signing }))
    .update(key ? readFileSync(key.keystore) : '')
    .digest('hex')
    .slice(0, 24);
  const out = join(cacheDir, `${safeFileSegment(spec.packageName)}-${hash}.apk`);
  if (existsSync(out)) return out;

  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, 'build-'));
  const run = (file: string, args: string[]) =>
    runProcess(file, args, { timeoutMs: 180_000, cwd: work, ...(options.logger ? { logger: options.logger } : {}) });
  try {
    const project = join(work, 'project');
    await writeProject(project, spec);
    const built = join(work, 'built.apk');
    await run('apktool', ['b', project, '-o', built]);
    // apktool stamps entries with the build time; fixed times make the same spec give the same
    // bytes, so sample APKs can be committed and rebuilt without churn.
    const unsigned = join(work, 'unsigned.apk');
    await writeFile(unsigned, await writeZip(await readZipItems(built)));
    if (!signing || !key) {
      await rename(unsigned, out);
      return out;
    }
    const aligned = join(work, 'aligned.apk');
    await run('zipalign', ['-p', '-f', '4', unsigned, aligned]);
    const signed = join(work, 'signed.apk');
    await run('apksigner', [
      'sign',
      '--ks', key.keystore,
      '--ks-key-alias', key.alias,
      '--ks-pass', `pass:${key.password}`,
      '--key-pass', `pass:${key.password}`,
      '--v1-signing-enabled', String(signing.v1),
      '--v2-signing-enabled', String(signing.v2),
      '--v3-signing-enabled', String(signing.v3),
      '--out', signed,
      aligned,
    ]);
    // rename is atomic: a concurrent build of the same spec produces the same bytes' meaning.
    await rename(signed, out);
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function writeProject(dir: string, spec: TestApkSpec): Promise<void> {
  const minSdk = spec.minSdk ?? 21;
  const targetSdk = spec.targetSdk ?? 30;
  const files = new Map<string, string>();
  files.set('AndroidManifest.xml', manifestXml(spec));
  files.set(
    'apktool.yml',
    [
      'version: 2.7.0',
      'apkFileName: app.apk',
      'isFrameworkApk: false',
      'usesFramework:',
      '  ids:',
      '  - 1',
      'sdkInfo:',
      `  minSdkVersion: '${minSdk}'`,
      `  targetSdkVersion: '${targetSdk}'`,
      'packageInfo:',
      "  forcedPackageId: '127'",
      'versionInfo:',
      `  versionCode: '${spec.versionCode ?? 1}'`,
      // JSON strings are valid YAML scalars: quotes and markup in a version stay one value.
      `  versionName: ${JSON.stringify(spec.versionName ?? '1.0')}`,
      'compressionType: false',
      'doNotCompress:',
      '- resources.arsc',
      '',
    ].join('\n'),
  );
  if (spec.networkSecurityConfig !== undefined) files.set('res/xml/network_security_config.xml', spec.networkSecurityConfig);
  if (!spec.split) {
    for (const cls of classesToDefine(spec)) {
      files.set(`smali/${cls.name.replace(/\./g, '/')}.smali`, smaliStub(cls.name, cls.superClass));
    }
  }
  for (const [name, content] of Object.entries(spec.assets ?? {})) files.set(`assets/${name}`, content);
  for (const [abi, libs] of Object.entries(spec.nativeLibs ?? {})) {
    for (const lib of libs) files.set(`lib/${abi}/${lib}`, '\u007fELF consentry test stub\n');
  }
  for (const [rel, content] of files) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

function classesToDefine(spec: TestApkSpec): { name: string; superClass: string }[] {
  const out = new Map<string, string>();
  const abs = (n: string) => (n.startsWith('.') ? spec.packageName + n : n);
  if (spec.applicationClass) out.set(abs(spec.applicationClass), 'android/app/Application');
  const supers = {
    activity: 'android/app/Activity',
    service: 'android/app/Service',
    receiver: 'android/content/BroadcastReceiver',
    provider: 'android/content/ContentProvider',
  } as const;
  for (const c of spec.components ?? []) out.set(abs(c.name), supers[c.kind]);
  for (const c of spec.classes ?? []) if (!out.has(c)) out.set(c, 'java/lang/Object');
  return [...out].map(([name, superClass]) => ({ name, superClass }));
}

function smaliStub(className: string, superClass: string): string {
  const desc = className.replace(/\./g, '/');
  return `.class public L${desc};\n.super L${superClass};\n.source "consentry-test-stub"\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** aapt reads a leading @ or ? as a resource reference; a literal label escapes it. */
function literal(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s.replace(/^([@?])/, '\\$1');
}

function manifestXml(spec: TestApkSpec): string {
  const a = (name: string, value: string | number | boolean | undefined) =>
    value === undefined ? '' : ` android:${name}="${esc(String(value))}"`;
  const lines: string[] = [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="${esc(spec.packageName)}"` +
      (spec.split ? ` split="${esc(spec.split)}" configForSplit=""` : '') +
      `${a('versionCode', spec.versionCode ?? 1)}${a('versionName', spec.versionName ?? '1.0')}>`,
    `  <uses-sdk${a('minSdkVersion', spec.minSdk ?? 21)}${a('targetSdkVersion', spec.targetSdk ?? 30)}/>`,
  ];
  for (const p of spec.permissions ?? []) {
    const perm = typeof p === 'string' ? { name: p } : p;
    lines.push(`  <uses-permission${a('name', perm.name)}${a('maxSdkVersion', perm.maxSdkVersion)}/>`);
  }
  if (spec.split) {
    lines.push('  <application android:hasCode="false"/>', '</manifest>', '');
    return lines.join('\n');
  }
  lines.push(
    '  <application' +
      a('label', literal(spec.label)) +
      a('name', spec.applicationClass) +
      a('debuggable', spec.debuggable) +
      a('usesCleartextTraffic', spec.usesCleartextTraffic) +
      (spec.networkSecurityConfig !== undefined ? ' android:networkSecurityConfig="@xml/network_security_config"' : '') +
      '>',
  );
  for (const c of spec.components ?? []) {
    const attrs =
      a('name', c.name) + a('exported', c.exported) + a('permission', c.permission) + a('authorities', c.authorities);
    const filters: string[] = [];
    if (c.launcher) {
      filters.push(
        '      <intent-filter><action android:name="android.intent.action.MAIN"/>' +
          '<category android:name="android.intent.category.LAUNCHER"/></intent-filter>',
      );
    }
    if (c.actions?.length) {
      filters.push(`      <intent-filter>${c.actions.map((x) => `<action${a('name', x)}/>`).join('')}</intent-filter>`);
    }
    lines.push(filters.length ? `    <${c.kind}${attrs}>\n${filters.join('\n')}\n    </${c.kind}>` : `    <${c.kind}${attrs}/>`);
  }
  lines.push('  </application>', '</manifest>', '');
  return lines.join('\n');
}

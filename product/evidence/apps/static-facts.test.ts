import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { readFile } from 'node:fs/promises';
import { AppFacts, inspectApp, readApkManifestBuffer } from './index.js';
import { apktoolAvailable, buildTestApk, type TestApkSpec } from './test-support/index.js';
import { aaptBadging, apksignerReport, dexdumpClasses } from './test-support/oracles.js';

// Real APKs no one here wrote, shipped by the Appium UiAutomator2 driver's npm dependencies.
const DRIVER_DEPS = join(PACKAGE_ROOT, '.appium/node_modules/appium-uiautomator2-driver/node_modules');
export const REAL_FIXTURES = {
  settings: join(DRIVER_DEPS, 'io.appium.settings/apks/settings_apk-debug.apk'),
  uia2Server: join(DRIVER_DEPS, 'appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk'),
  uia2Test: join(DRIVER_DEPS, 'appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk'),
};

const RICH: TestApkSpec = {
  packageName: 'com.consentry.fixture.rich',
  versionCode: 42,
  versionName: '4.2.0-测试',
  minSdk: 23,
  targetSdk: 30,
  label: 'Rich fixture',
  permissions: [
    'android.permission.INTERNET',
    'android.permission.READ_PHONE_STATE',
    'android.permission.ACCESS_FINE_LOCATION',
    { name: 'android.permission.WRITE_EXTERNAL_STORAGE', maxSdkVersion: 28 },
  ],
  applicationClass: '.RichApp',
  debuggable: true,
  usesCleartextTraffic: true,
  networkSecurityConfig: '<?xml version="1.0" encoding="utf-8"?>\n<network-security-config/>\n',
  components: [
    { kind: 'activity', name: '.Splash', launcher: true, exported: true },
    { kind: 'activity', name: '.Internal' },
    { kind: 'activity', name: 'com.consentry.fixture.rich.Share', actions: ['android.intent.action.SEND'] },
    { kind: 'service', name: '.Sync', exported: false, actions: ['com.consentry.SYNC'] },
    { kind: 'receiver', name: '.Boot', actions: ['android.intent.action.BOOT_COMPLETED'] },
    { kind: 'provider', name: '.Files', authorities: 'com.consentry.fixture.rich.files' },
  ],
  classes: [
    'com.umeng.analytics.MobclickAgent',
    'com.umeng.commonsdk.UMConfigure',
    'cn.jpush.android.api.JPushInterface',
    'com.tencent.mm.opensdk.openapi.WXAPIFactory',
    'com.umengx.NotUmeng',
    'com.consentry.fixture.rich.util.Helper',
  ],
  nativeLibs: { 'arm64-v8a': ['libcore.so'], 'armeabi-v7a': ['libcore.so'] },
};

const haveApktool = await apktoolAvailable();
if (!haveApktool) console.warn('apktool is not installed (tooling/scripts/setup.sh installs it): APK-builder tests are skipped');

async function expectAgreesWithOracles(apk: string, facts: AppFacts): Promise<void> {
  const badging = await aaptBadging(apk);
  const m = facts.manifest;
  expect(m.packageName).toBe(badging.packageName);
  expect(m.versionCode).toBe(badging.versionCode);
  expect(m.versionName).toBe(badging.versionName);
  expect(m.minSdk).toBe(badging.minSdk);
  expect(m.targetSdk).toBe(badging.targetSdk);
  expect(m.permissions.map((p) => p.name).sort()).toEqual([...badging.permissions].sort());
  expect(m.launcherActivity).toBe(badging.launchableActivity);
  expect(m.debuggable).toBe(badging.debuggable);
  expect(m.label).toBe(badging.label);
  expect(facts.nativeAbis).toEqual(badging.nativeCode);

  const signer = await apksignerReport(apk);
  expect(facts.signing.schemes.v1).toBe(signer.v1);
  expect(facts.signing.schemes.v2).toBe(signer.v2);
  expect(facts.signing.schemes.v3).toBe(signer.v3);
  expect(facts.signing.certificates.map((c) => c.sha256).sort()).toEqual(signer.certificateSha256);

  const classes = await dexdumpClasses(apk);
  expect(facts.dex.classes).toBe(classes.length);
}

describe.skipIf(!haveApktool)('static facts of a built APK agree with aapt, apksigner and dexdump', () => {
  let apk: string;
  let facts: AppFacts;
  beforeAll(async () => {
    apk = await buildTestApk(RICH);
    facts = (await inspectApp(apk)).facts;
  }, 180_000);

  it('reports what aapt, apksigner and dexdump report', async () => {
    await expectAgreesWithOracles(apk, facts);
    expect(AppFacts.parse(facts)).toEqual(facts);
  });

  it('flags dangerous permissions and keeps maxSdkVersion', () => {
    const byName = new Map(facts.manifest.permissions.map((p) => [p.name, p]));
    expect(byName.get('android.permission.READ_PHONE_STATE')).toMatchObject({ dangerous: true, group: 'PHONE' });
    expect(byName.get('android.permission.ACCESS_FINE_LOCATION')).toMatchObject({ dangerous: true, group: 'LOCATION' });
    expect(byName.get('android.permission.INTERNET')?.dangerous).toBe(false);
    expect(byName.get('android.permission.WRITE_EXTERNAL_STORAGE')).toMatchObject({ maxSdkVersion: 28, dangerous: true });
  });

  it('resolves components and decides exported as Android does before API 31', () => {
    const c = new Map(facts.manifest.components.map((x) => [x.name, x]));
    const p = 'com.consentry.fixture.rich';
    expect(c.get(`${p}.Splash`)).toMatchObject({ kind: 'activity', exported: true, exportedSource: 'explicit' });
    expect(c.get(`${p}.Internal`)).toMatchObject({ exported: false, exportedSource: 'default' });
    expect(c.get(`${p}.Share`)).toMatchObject({ exported: true, exportedSource: 'implied-by-intent-filter' });
    expect(c.get(`${p}.Sync`)).toMatchObject({ kind: 'service', exported: false, exportedSource: 'explicit' });
    expect(c.get(`${p}.Boot`)).toMatchObject({ kind: 'receiver', exported: true, exportedSource: 'implied-by-intent-filter' });
    expect(c.get(`${p}.Files`)).toMatchObject({ kind: 'provider', exported: false, exportedSource: 'default' });
    expect(facts.manifest.applicationClass).toBe(`${p}.RichApp`);
  });

  it('reads network settings from the manifest', () => {
    expect(facts.manifest).toMatchObject({
      usesCleartextTraffic: true,
      cleartextPermitted: true,
      networkSecurityConfig: true,
      label: 'Rich fixture',
    });
  });

  it('finds catalogued SDKs by DEX class names, on whole package segments', () => {
    expect(facts.sdks.map((s) => s.id)).toEqual(['jpush', 'tencent-wechat', 'umeng']);
    const umeng = facts.sdks.find((s) => s.id === 'umeng')!;
    expect(umeng.packages).toEqual([{ prefix: 'com.umeng', classes: 2 }]);
    expect(umeng.vendor).toContain('友盟');
    expect(umeng.examples).toContain('com.umeng.analytics.MobclickAgent');
  });

  it('reads an EC-signed, v1-only APK as apksigner does', async () => {
    const v1Only = await buildTestApk({
      ...RICH,
      packageName: 'com.consentry.fixture.ec',
      // From targetSdk 30 Android requires v2; a v1-only APK must target less.
      targetSdk: 29,
      signing: { key: 'consentry-test-other', v1: true, v2: false, v3: false },
    });
    const ec = (await inspectApp(v1Only)).facts;
    expect(ec.signing.schemes).toEqual({ v1: true, v2: false, v3: false, v31: false });
    await expectAgreesWithOracles(v1Only, ec);
    expect(ec.signing.certificates[0]!.subject).toContain('consentry other test key');
  });

  it('treats cleartext as off by default from targetSdk 28', async () => {
    const modern = await buildTestApk({ packageName: 'com.consentry.fixture.modern', minSdk: 24, targetSdk: 33 });
    const f = (await inspectApp(modern)).facts;
    expect(f.manifest).toMatchObject({ cleartextPermitted: false, networkSecurityConfig: false, debuggable: false });
    expect(f.manifest.usesCleartextTraffic).toBeUndefined();
    await expectAgreesWithOracles(modern, f);
  });
});

const haveFixtures = Object.values(REAL_FIXTURES).every((f) => existsSync(f));
if (!haveFixtures) console.warn('the Appium UiAutomator2 driver is not in .appium (tooling/scripts/setup.sh installs it): real-APK tests are skipped');

describe.skipIf(!haveFixtures)('static facts of real third-party APKs agree with the SDK tools', () => {
  it('io.appium.settings (9 DEX files, v2 only, debug certificate)', async () => {
    const { facts } = await inspectApp(REAL_FIXTURES.settings);
    await expectAgreesWithOracles(REAL_FIXTURES.settings, facts);
    expect(facts.manifest.packageName).toBe('io.appium.settings');
    expect(facts.dex.files).toBe(9);
    expect(facts.sdks.map((s) => s.id)).toContain('firebase');
    expect(facts.manifest.permissions.filter((p) => p.dangerous).map((p) => p.name)).toContain(
      'android.permission.ACCESS_BACKGROUND_LOCATION',
    );
  });

  it('appium-uiautomator2-server (v1+v2+v3, no version on the test APK)', async () => {
    for (const apk of [REAL_FIXTURES.uia2Server, REAL_FIXTURES.uia2Test]) {
      const { facts } = await inspectApp(apk);
      const badging = await aaptBadging(apk);
      const signer = await apksignerReport(apk);
      expect(facts.manifest.packageName).toBe(badging.packageName);
      expect(facts.manifest.versionCode).toBe(badging.versionCode);
      expect(facts.manifest.permissions.map((p) => p.name).sort()).toEqual([...badging.permissions].sort());
      expect(facts.signing.schemes).toMatchObject({ v1: signer.v1, v2: signer.v2, v3: signer.v3 });
      expect(facts.signing.certificates.map((c) => c.sha256)).toEqual(signer.certificateSha256);
    }
  }, 60_000);

  it('reads the manifest from APK bytes in memory too (what the virtual device receives)', async () => {
    const manifest = await readApkManifestBuffer(await readFile(REAL_FIXTURES.uia2Test), 'uia2-test.apk');
    expect(manifest.packageName).toBe('io.appium.uiautomator2.server.test');
    expect(manifest.instrumentations).toEqual([
      { name: 'androidx.test.runner.AndroidJUnitRunner', targetPackage: 'io.appium.uiautomator2.server' },
    ]);
  });
});

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppFacts } from '../../product/evidence/apps/index.js';
import { apktoolAvailable, buildHostileApk, buildTestApk } from '../../product/evidence/apps/test-support/index.js';
import { aaptBadging, apksignerReport } from '../../product/evidence/apps/test-support/oracles.js';
import { EXIT } from '../../product/core/errors.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';

/**
 * `consentry inspect` as a user runs it: a child process, stdout holding the result, an exit
 * code. The facts it prints for real third-party APKs must be the SDK tools' facts.
 */
const DRIVER_DEPS = join(PACKAGE_ROOT, '.appium/node_modules/appium-uiautomator2-driver/node_modules');
const FIXTURES = [
  join(DRIVER_DEPS, 'io.appium.settings/apks/settings_apk-debug.apk'),
  join(DRIVER_DEPS, 'appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk'),
  join(DRIVER_DEPS, 'appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk'),
];

async function consentry(args: string[]) {
  return runProcess(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'product/cli/main.ts'), ...args], {
    cwd: PACKAGE_ROOT,
    timeoutMs: 120_000,
    okCodes: [0, 1, 2, 3, 4, 5, 70],
    env: { ...process.env, CONSENTRY_LOG_LEVEL: 'silent' },
  });
}

const haveApktool = await apktoolAvailable();
const haveFixtures = FIXTURES.every((f) => existsSync(f));
if (!haveFixtures) console.warn('the Appium UiAutomator2 driver is not in .appium (tooling/scripts/setup.sh installs it): real-APK cases are skipped');

describe('consentry inspect', () => {
  it.skipIf(!haveFixtures).each(FIXTURES)('prints the facts aapt and apksigner report for %s', async (apk) => {
    const res = await consentry(['inspect', apk, '--json']);
    expect(res.code).toBe(EXIT.ok);
    const facts = AppFacts.parse(JSON.parse(res.stdout));
    const badging = await aaptBadging(apk);
    expect(facts.manifest).toMatchObject({
      packageName: badging.packageName,
      minSdk: badging.minSdk,
      targetSdk: badging.targetSdk,
      debuggable: badging.debuggable,
    });
    expect(facts.manifest.versionCode).toBe(badging.versionCode);
    expect(facts.manifest.versionName).toBe(badging.versionName);
    expect(facts.manifest.launcherActivity).toBe(badging.launchableActivity);
    expect(facts.manifest.label).toBe(badging.label);
    expect(facts.manifest.permissions.map((p) => p.name).sort()).toEqual([...badging.permissions].sort());
    expect(facts.nativeAbis).toEqual(badging.nativeCode);
    const signer = await apksignerReport(apk);
    expect(facts.signing.certificates.map((c) => c.sha256)).toEqual(signer.certificateSha256);
    expect(facts.signing.schemes).toMatchObject({ v1: signer.v1, v2: signer.v2, v3: signer.v3 });
  });

  it.skipIf(!haveFixtures)('prints a readable summary with dangerous permissions, SDKs and the signer', async () => {
    const res = await consentry(['inspect', FIXTURES[0]!]);
    expect(res.code).toBe(EXIT.ok);
    expect(res.stdout).toMatch(/^io\.appium\.settings 8\.0\.9 \(191\)/);
    expect(res.stdout).toMatch(/android\.permission\.READ_SMS\s+DANGEROUS\s+SMS/);
    expect(res.stdout).toMatch(/Google Firebase.*Google LLC/);
    expect(res.stdout).toContain('05ee28fa5928913fcbda0b2534e1456966fdd97b08b65059261b17123adcb180');
  });

  it.skipIf(!haveFixtures)('exits 1 when the signer differs from --reference, 0 when it matches', async () => {
    const same = await consentry(['inspect', FIXTURES[1]!, '--reference', FIXTURES[2]!]);
    expect(same.code).toBe(EXIT.ok);
    expect(same.stdout).toMatch(/signer matches/);
    const other = await consentry(['inspect', FIXTURES[1]!, '--reference', FIXTURES[0]!, '--json']);
    expect(other.code).toBe(EXIT.findings);
    expect(AppFacts.parse(JSON.parse(other.stdout)).reference).toMatchObject({ source: 'apk', matches: false });
  });

  it.skipIf(!haveApktool)('a hostile APK ends with one line naming the file and exit code 2', async () => {
    const apk = await buildHostileApk('invalid-package-name');
    const res = await consentry(['inspect', apk]);
    expect(res.code).toBe(EXIT.usage);
    expect(res.stdout).toBe('');
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain(apk);
    expect(res.stderr).toContain('"com.x;rm -rf /" is not a valid package name');
  });

  it.skipIf(!haveApktool)('a built sample with an SDK is summarised from its DEX', async () => {
    const apk = await buildTestApk({ packageName: 'com.consentry.fixture.cli', classes: ['com.bytedance.sdk.openadsdk.TTAdSdk'] });
    const res = await consentry(['inspect', apk, '--json']);
    expect(AppFacts.parse(JSON.parse(res.stdout)).sdks.map((s) => s.id)).toEqual(['pangle']);
  });
});

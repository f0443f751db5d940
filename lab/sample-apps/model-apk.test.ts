import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';
import { inspectApp, withArchive } from '../../product/evidence/apps/index.js';
import { apktoolAvailable, buildTestApk } from '../../product/evidence/apps/test-support/index.js';
import { specFromModelFile, specFromModelText } from './model-apk.js';
import { aaptBadging, apksignerReport } from '../../product/evidence/apps/test-support/oracles.js';
import { tempDirs } from '../../product/core/test-support/temp-dirs.js';

const temp = tempDirs('consentry-models');

const haveApktool = await apktoolAvailable();
if (!haveApktool) console.warn('apktool is not installed (tooling/scripts/setup.sh installs it): sample-APK tests are skipped');

// A model in the shape of lab/sample-apps/*.model.yaml (manifest + sdks).
const MODEL = `schemaVersion: 1
description: 测试 app for the APK builder
manifest:
  package: com.consentry.sample.news
  versionName: '2.1 "beta" <b>x</b> & y: z'
  versionCode: 21
  label: 新闻
  minSdk: 24
  targetSdk: 33
  application: com.consentry.sample.news.NewsApp
  permissions: [android.permission.INTERNET, android.permission.READ_PHONE_STATE]
  activities:
    - { name: com.consentry.sample.news.MainActivity, launcher: true }
    - { name: com.consentry.sample.news.DetailActivity }
sdks:
  - { id: umeng, package: com.umeng.analytics, entryClass: com.umeng.analytics.MobclickAgent }
  - { id: pangle, package: com.bytedance.sdk.openadsdk }
screens:
  - id: home
    kind: main
    root: { class: android.widget.FrameLayout }
`;

describe.skipIf(!haveApktool)('sample APKs from app models', () => {
  let dir: string;
  beforeAll(async () => {
    dir = temp.make();
    await writeFile(join(dir, 'news-demo.model.yaml'), MODEL);
  });

  it('tooling/scripts/build-sample-apks.ts writes <model>.apk with the manifest, SDK classes and the model inside', async () => {
    const out = join(dir, 'apks');
    const res = await runProcess(
      process.execPath,
      ['--import', 'tsx', join(PACKAGE_ROOT, 'tooling/scripts/build-sample-apks.ts'), '--models', dir, '--out', out],
      { cwd: PACKAGE_ROOT, timeoutMs: 180_000 },
    );
    expect(await readdir(out)).toEqual(['news-demo.apk']);
    const apk = join(out, 'news-demo.apk');
    expect(res.stdout).toContain(apk);

    const badging = await aaptBadging(apk);
    expect(badging).toMatchObject({
      packageName: 'com.consentry.sample.news',
      versionCode: 21,
      versionName: '2.1 "beta" <b>x</b> & y: z',
      minSdk: 24,
      targetSdk: 33,
      launchableActivity: 'com.consentry.sample.news.MainActivity',
    });
    expect((await apksignerReport(apk)).v2).toBe(true);

    const { facts } = await inspectApp(apk);
    expect(facts.manifest.label).toBe('新闻');
    expect(facts.manifest.applicationClass).toBe('com.consentry.sample.news.NewsApp');
    expect(facts.sdks.map((s) => s.id)).toEqual(['pangle', 'umeng']);
    expect(facts.sdks.find((s) => s.id === 'pangle')!.examples).toEqual(['com.bytedance.sdk.openadsdk.Sdk']);
    const embedded = await withArchive(apk, (a) => a.read('assets/consentry-model.yaml', 1 << 20));
    expect(embedded.toString('utf8')).toBe(MODEL);
  });

  it('the same model builds to the same bytes (committed APKs do not churn)', async () => {
    const spec = await specFromModelFile(join(dir, 'news-demo.model.yaml'));
    const a = await buildTestApk(spec, { cacheDir: temp.make('cache-a') });
    const b = await buildTestApk(spec, { cacheDir: temp.make('cache-b') });
    expect((await readFile(a)).equals(await readFile(b))).toBe(true);
  });

  it('markup and quotes in version and label reach the APK unchanged, as aapt reads them', async () => {
    const hostile = MODEL.replace(/versionName: .*/, `versionName: "<script>alert('v')</script>"`).replace(
      /label: .*/,
      `label: "\\"><img src=x onerror=alert('l')> @x"`,
    );
    const apk = await buildTestApk(specFromModelText(hostile, 'hostile.model.yaml'));
    const badging = await aaptBadging(apk);
    const { facts } = await inspectApp(apk);
    expect(badging.versionName).toBe("<script>alert('v')</script>");
    expect(facts.manifest.versionName).toBe(badging.versionName);
    expect(facts.manifest.label).toBe(`"><img src=x onerror=alert('l')> @x`);
  });

  it('a model with an invalid package name is refused with file, line and field', async () => {
    const bad = join(dir, 'broken.model.yaml');
    await writeFile(bad, MODEL.replace('package: com.consentry.sample.news', 'package: "com.x;rm -rf /"'));
    await expect(specFromModelFile(bad)).rejects.toThrow(/broken\.model\.yaml:4, field "manifest\.package": expected an Android package name/);
  });

  it('build-sample-apks.ts refuses a model the virtual device could not play, naming file, line and field', async () => {
    const bad = join(dir, 'bad-models');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'broken.model.yaml'), MODEL.replace('kind: main', 'kind: carousel'));
    const res = await runProcess(
      process.execPath,
      ['--import', 'tsx', join(PACKAGE_ROOT, 'tooling/scripts/build-sample-apks.ts'), '--models', bad, '--out', join(bad, 'apks')],
      { cwd: PACKAGE_ROOT, timeoutMs: 180_000, okCodes: [1] },
    );
    expect(res.stderr).toMatch(/broken\.model\.yaml:\d+, field "screens\.0\.kind"/);
    expect(await readdir(join(bad, 'apks'))).toEqual([]);
  });
});

import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../core/process.js';
import { AppInputError, inspectApp, intakeApp, removeAppPackage, splitsForAbis, type AppPackage } from './index.js';
import {
  apktoolAvailable,
  buildTestApk,
  buildTestApks,
  buildTestXapk,
  writeZip,
  type SplitSet,
} from './test-support/index.js';
import { aaptBadging } from './test-support/oracles.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const temp = tempDirs('consentry-intake-test');

const haveApktool = await apktoolAvailable();
if (!haveApktool) console.warn('apktool is not installed (tooling/scripts/setup.sh installs it): intake tests are skipped');

const PKG = 'com.consentry.fixture.split';
const SET: SplitSet = {
  base: {
    packageName: PKG,
    versionCode: 12,
    versionName: '1.2',
    components: [{ kind: 'activity', name: '.Main', launcher: true, exported: true }],
    classes: ['com.igexin.sdk.PushManager'],
  },
  splits: [
    { packageName: PKG, versionCode: 12, versionName: '1.2', split: 'config.arm64_v8a', nativeLibs: { 'arm64-v8a': ['libx.so'] } },
    { packageName: PKG, versionCode: 12, versionName: '1.2', split: 'config.x86_64', nativeLibs: { x86_64: ['libx.so'] } },
    { packageName: PKG, versionCode: 12, versionName: '1.2', split: 'config.xxhdpi' },
  ],
};

const opened: AppPackage[] = [];
afterAll(async () => {
  for (const p of opened) await removeAppPackage(p);
});

async function sha256sum(file: string): Promise<string> {
  return (await runProcess('sha256sum', [file])).stdout.split(' ')[0]!;
}

async function rejection(p: Promise<unknown>): Promise<AppInputError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppInputError);
  return err as AppInputError;
}

describe.skipIf(!haveApktool)('app intake', () => {
  it('a single APK is installed as is, with its digest', async () => {
    const apk = await buildTestApk(SET.base);
    const pkg = await intakeApp(apk);
    expect(pkg).toMatchObject({ kind: 'apk', packageName: PKG, versionCode: 12, versionName: '1.2', obbs: [] });
    expect(pkg.workDir).toBeUndefined();
    expect(pkg.files).toHaveLength(1);
    expect(pkg.files[0]).toMatchObject({ path: apk, role: 'base', sha256: await sha256sum(apk) });
  });

  it('split APKs (.apks): base first, then config splits in a stable order, each with a real digest', async () => {
    const apks = await buildTestApks(SET);
    const pkg = await intakeApp(apks);
    opened.push(pkg);
    expect(pkg.kind).toBe('apks');
    expect(pkg.files.map((f) => [f.role, f.splitName])).toEqual([
      ['base', undefined],
      ['split', 'config.arm64_v8a'],
      ['split', 'config.x86_64'],
      ['split', 'config.xxhdpi'],
    ]);
    for (const f of pkg.files) {
      expect(relative(pkg.workDir!, f.path).startsWith('..')).toBe(false);
      expect(f.sha256).toBe(await sha256sum(f.path));
      // Each extracted part is a real APK that aapt reads as part of the same package.
      const badging = await aaptBadging(f.path);
      expect(badging.packageName).toBe(PKG);
      expect(badging.split).toBe(f.splitName);
    }
    expect(splitsForAbis(pkg, ['arm64-v8a']).map((f) => f.splitName)).toEqual([undefined, 'config.arm64_v8a', 'config.xxhdpi']);
  });

  it('inspect on .apks reports the ABIs of all splits and the SDKs of the base', async () => {
    const { facts, pkg } = await inspectApp(await buildTestApks(SET));
    expect(facts.kind).toBe('apks');
    expect(facts.nativeAbis).toEqual(['arm64-v8a', 'x86_64']);
    expect(facts.sdks.map((s) => s.id)).toEqual(['getui']);
    expect(existsSync(pkg.workDir!)).toBe(false);
  });

  it('XAPK with splits and an OBB: the OBB gets its device path under Android/obb/<package>/', async () => {
    const xapk = await buildTestXapk(SET, { obbs: [{ name: `main.12.${PKG}.obb`, content: 'expansion data' }] });
    const pkg = await intakeApp(xapk);
    opened.push(pkg);
    expect(pkg.kind).toBe('xapk');
    expect(pkg.files.map((f) => f.splitName ?? 'base')).toEqual(['base', 'config.arm64_v8a', 'config.x86_64', 'config.xxhdpi']);
    expect(pkg.obbs).toHaveLength(1);
    expect(pkg.obbs[0]!.devicePath).toBe(`Android/obb/${PKG}/main.12.${PKG}.obb`);
    expect(await readFile(pkg.obbs[0]!.path, 'utf8')).toBe('expansion data');
  });

  it('an XAPK whose manifest.json names another package is refused', async () => {
    const xapk = await buildTestXapk(SET, { declaredPackage: 'com.other.app' });
    const err = await rejection(intakeApp(xapk));
    expect(err.code).toBe('APP_SPLITS_INCONSISTENT');
    expect(err.message).toMatch(/manifest\.json names "com\.other\.app"/);
  });

  it('splits from another version are refused, and the extraction folder is removed', async () => {
    const bad: SplitSet = { base: SET.base, splits: [{ ...SET.splits[0]!, versionCode: 13 }] };
    const tempRoot = temp.make();
    const err = await rejection(intakeApp(await buildTestApks(bad), { tempRoot }));
    expect(err.code).toBe('APP_SPLITS_INCONSISTENT');
    expect(err.message).toMatch(/config\.arm64_v8a" is com\.consentry\.fixture\.split@13, the base is .*@12/);
    expect(await readdir(tempRoot)).toEqual([]);
  });

  it('a lone config split is not an app', async () => {
    const err = await rejection(intakeApp(await buildTestApk(SET.splits[0]!)));
    expect(err.code).toBe('APP_SPLITS_INCONSISTENT');
    expect(err.message).toMatch(/exactly one base APK .* found 0/);
  });

  it('a zip that is none of the three formats is refused with what was expected', async () => {
    const dir = temp.make();
    const file = join(dir, 'photos.zip');
    await writeFile(file, await writeZip([{ name: 'IMG_0001.jpg', data: Buffer.from('jpeg') }]));
    const err = await rejection(intakeApp(file));
    expect(err.code).toBe('APP_UNSUPPORTED_FORMAT');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/expected an APK .*split APKs .*XAPK/);
  });

  it('a missing file is reported as such', async () => {
    const err = await rejection(intakeApp('/nonexistent/app.apk'));
    expect(err.code).toBe('APP_UNSUPPORTED_FORMAT');
    expect(err.message).toMatch(/cannot read the app file/);
  });
});

import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../core/process.js';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { AppInputError, inspectApp, PACKED_SDK_CAVEAT } from './index.js';
import { apktoolAvailable, buildTestApk, HOSTILE_BASE_SPEC, patchBytes, readZipItems, writeZip, type TestApkSpec, type ZipItem } from './test-support/index.js';
import { aaptList, dexdumpClasses } from './test-support/oracles.js';

/**
 * Packed-app detection on real APKs built by apktool/aapt/apksigner, checked against what the
 * SDK tools themselves list: every name consentry gives as evidence is in `aapt list` (files),
 * `aapt dump xmltree` (the manifest) or dexdump (classes).
 */
const haveApktool = await apktoolAvailable();
if (!haveApktool) console.warn('apktool is not installed (tooling/scripts/setup.sh installs it): packed-APK tests are skipped');

const work = mkdtempSync(join(tmpdir(), 'consentry-packers-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const JIAGU: TestApkSpec = {
  packageName: 'com.consentry.fixture.jiagu',
  applicationClass: 'com.stub.StubApp',
  components: [{ kind: 'activity', name: '.Main', launcher: true, exported: true }],
  nativeLibs: { 'arm64-v8a': ['libjiagu_a64.so'] },
  assets: { 'payload.bin': 'encrypted app code would be here' },
};

const IJIAMI_ASSET_ONLY: TestApkSpec = {
  packageName: 'com.consentry.fixture.ijiamiasset',
  components: [{ kind: 'activity', name: '.Main', launcher: true, exported: true }],
  assets: { 'ijiami.dat': 'x' },
};

const IJIAMI: TestApkSpec = { ...IJIAMI_ASSET_ONLY, packageName: 'com.consentry.fixture.ijiami', nativeLibs: { 'armeabi-v7a': ['libexec.so'] } };

/** The application class the manifest names, read by aapt from the compiled manifest. */
async function aaptApplicationClass(apk: string): Promise<string | undefined> {
  const { stdout } = await runProcess('aapt', ['dump', 'xmltree', apk, 'AndroidManifest.xml'], { timeoutMs: 60_000 });
  const app = stdout.split(/\n\s*E: application/)[1]?.split(/\n\s*E: /)[0] ?? '';
  return /A: android:name\(0x01010003\)="([^"]+)"/.exec(app)?.[1];
}

/** A copy of `apk` with extra entries, unsigned (inspection does not need a valid signature). */
async function withEntries(apk: string, name: string, extra: ZipItem[]): Promise<string> {
  const items = (await readZipItems(apk)).filter((i) => !i.name.startsWith('META-INF/'));
  const out = join(work, name);
  await writeFile(out, await writeZip([...items, ...extra]));
  return out;
}

const stub = (name: string): ZipItem => ({ name, data: Buffer.from('x') });

describe.skipIf(!haveApktool)('packed APKs', () => {
  it('a Jiagu shell (com.stub.StubApp + lib/arm64-v8a/libjiagu_a64.so) is reported with both pieces of evidence', async () => {
    const apk = await buildTestApk(JIAGU);
    const { facts } = await inspectApp(apk);
    expect(facts.packers.map((p) => p.id)).toEqual(['qihoo-jiagu']);
    const evidence = facts.packers[0]!.evidence;
    expect(evidence).toContainEqual({ kind: 'application-class', value: 'com.stub.StubApp' });
    expect(evidence).toContainEqual({ kind: 'native-library', value: 'lib/arm64-v8a/libjiagu_a64.so' });
    expect(facts.sdkCaveat).toBe(PACKED_SDK_CAVEAT);

    // The SDK tools' own view of the same APK holds every name given as evidence.
    const listed = await aaptList(apk);
    const classes = await dexdumpClasses(apk);
    for (const e of evidence) {
      if (e.kind === 'native-library' || e.kind === 'asset') expect(listed).toContain(e.value);
      else if (e.kind === 'application-class') expect(await aaptApplicationClass(apk)).toBe(e.value);
      else expect(classes).toContain(e.value);
    }
  });

  it('one weak signature (only assets/ijiami.dat) is not enough; with libexec.so it is Ijiami', async () => {
    const weak = await buildTestApk(IJIAMI_ASSET_ONLY);
    expect(await aaptList(weak)).toContain('assets/ijiami.dat');
    const { facts } = await inspectApp(weak);
    expect(facts.packers).toEqual([]);
    expect(facts.sdkCaveat).toBeUndefined();

    const apk = await buildTestApk(IJIAMI);
    const listed = await aaptList(apk);
    const { facts: packed } = await inspectApp(apk);
    expect(packed.packers.map((p) => p.id)).toEqual(['ijiami']);
    expect(packed.packers[0]!.evidence).toEqual([
      { kind: 'native-library', value: 'lib/armeabi-v7a/libexec.so' },
      { kind: 'asset', value: 'assets/ijiami.dat' },
    ]);
    for (const e of packed.packers[0]!.evidence) expect(listed).toContain(e.value);
  });

  it('ordinary apps are not packed: the sample apps and the Appium APKs', async () => {
    const sampleDir = join(PACKAGE_ROOT, 'lab/sample-apps/apks');
    const driverDeps = join(PACKAGE_ROOT, '.appium/node_modules/appium-uiautomator2-driver/node_modules');
    const apks = [
      ...(existsSync(sampleDir) ? readdirSync(sampleDir).filter((f) => f.endsWith('.apk')).map((f) => join(sampleDir, f)) : []),
      join(driverDeps, 'io.appium.settings/apks/settings_apk-debug.apk'),
      join(driverDeps, 'appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk'),
      await buildTestApk(HOSTILE_BASE_SPEC),
    ].filter((f) => existsSync(f));
    expect(apks.length).toBeGreaterThan(2);
    for (const apk of apks) {
      const { facts } = await inspectApp(apk);
      expect(facts.packers, apk).toEqual([]);
      expect(facts.sdkCaveat, apk).toBeUndefined();
    }
  });

  it('ten thousand look-alike names match nothing', async () => {
    const templates = [
      (i: number) => `lib/arm64-v8a/libjiagu_${i}.so.bak`,
      (i: number) => `lib/arm64-v8a/x${i}libjiagu.so`,
      (i: number) => `lib/arm64-v8a/d${i}/libjiagu.so`,
      (i: number) => `assets/d${i}/ijiami.dat`,
      (i: number) => `assets/ijiami.dat.${i}`,
      (i: number) => `assets/LIBJIAGU${i}.SO`,
      (i: number) => `res/raw/libDexHelper${i}.so`,
      (i: number) => `assets/ijm_lib/a/b${i}/libexec.so`,
      (i: number) => `lib/x86/libsecexe.so.${i}`,
      (i: number) => `assets/./libjiagu${i}.so`,
    ];
    const extra = Array.from({ length: 10_000 }, (_, i) => stub(templates[i % templates.length]!(i)));
    const apk = await withEntries(await buildTestApk(HOSTILE_BASE_SPEC), 'look-alikes.apk', extra);
    const listed = new Set(await aaptList(apk));
    expect(extra.every((e) => listed.has(e.name))).toBe(true);
    const { facts } = await inspectApp(apk);
    expect(facts.packers).toEqual([]);
  });

  it('ten thousand real matches give a verdict with bounded evidence', async () => {
    const extra = Array.from({ length: 10_000 }, (_, i) => stub(`lib/arm64-v8a/libjiagu_${i}.so`));
    const apk = await withEntries(await buildTestApk(HOSTILE_BASE_SPEC), 'many-matches.apk', extra);
    const { facts } = await inspectApp(apk);
    expect(facts.packers.map((p) => p.id)).toEqual(['qihoo-jiagu']);
    const evidence = facts.packers[0]!.evidence;
    expect(evidence.length).toBeLessThanOrEqual(3);
    const listed = new Set(await aaptList(apk));
    for (const e of evidence) expect(listed.has(e.value)).toBe(true);
  });

  it('an entry that climbs out with ../ is refused, never taken as evidence', async () => {
    // yazl refuses to write ".." segments, so same-length placeholders are patched afterwards.
    const written = await withEntries(await buildTestApk(HOSTILE_BASE_SPEC), 'climbs-placeholder.apk', [stub('lib/arm64-v8a/XX/XX/assets/ijiami.dat')]);
    const apk = join(work, 'climbs.apk');
    await writeFile(apk, patchBytes(await readFile(written), Buffer.from('XX/XX/assets'), Buffer.from('../../assets')));
    const err = await inspectApp(apk).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppInputError);
    expect((err as AppInputError).code).toBe('APP_ZIP_TRAVERSAL');
  });
});

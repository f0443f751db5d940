import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apktoolAvailable, buildHostileApk, buildTestApk, HOSTILE_BASE_SPEC, type HostileKind } from '../../../../product/evidence/apps/test-support/index.js';
import { PACKAGE_ROOT } from '../../../../product/core/paths.js';
import { testPhones } from '../test-support/phones.js';

/**
 * `pm install` reads manifests with product/evidence/apps' bounded reader: every hostile variant ends with
 * Android's failure line (or installs, where Android would too), never a hang.
 */

const haveApktool = await apktoolAvailable();
const UMENG_APK = join(PACKAGE_ROOT, 'lab/sample-apps/apks/umeng-preconsent.apk');
const STAGED = String.raw`/data/app/vmdl\d+\.tmp/base\.apk`;
const NOT_APK = new RegExp(`^Failure \\[INSTALL_PARSE_FAILED_NOT_APK: Failed to parse ${STAGED}: Failed to load asset path ${STAGED}\\]\\n$`);
const BAD_MANIFEST = new RegExp(`^Failure \\[INSTALL_PARSE_FAILED_UNEXPECTED_EXCEPTION: Failed to parse ${STAGED}: AndroidManifest\\.xml\\]\\n$`);

const CASES: [HostileKind, RegExp][] = [
  ['zip-bomb', NOT_APK],
  ['lying-sizes', NOT_APK],
  ['truncated', NOT_APK],
  ['bad-axml-zero-chunk', BAD_MANIFEST],
  ['bad-axml-garbage', BAD_MANIFEST],
  ['bad-axml-string-count', BAD_MANIFEST],
  ['path-traversal', NOT_APK],
  ['invalid-package-name', /^Failure \[INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME: Invalid manifest package\]\n$/],
  // The manifest is sound and pm does not read classes.dex: a phone installs it too.
  ['huge-dex-counts', /^Success\n$/],
  ['not-a-zip', NOT_APK],
];

const { phone } = testPhones();

describe('pm install reads the manifest with the bounded reader', () => {
  it('installs a sample app with its launcher activity and permissions', async () => {
    const t = phone();
    t.os.fs.writeFile('/data/local/tmp/u.apk', await readFile(UMENG_APK));
    expect((await t.run('pm install -g /data/local/tmp/u.apk')).out).toBe('Success\n');
    const pkg = t.os.getPackage('com.consentry.sample.weather')!;
    expect(pkg.launchActivity).toMatch(/^com\.consentry\.sample\.weather\./);
    expect(pkg.requestedPermissions).toContain('android.permission.READ_PHONE_STATE');
    expect((await t.run('pm path com.consentry.sample.weather')).out).toMatch(/^package:\/data\/app\/.+\/base\.apk\n$/);
  });
});

describe.skipIf(!haveApktool)('pm install of hostile APKs', () => {
  it.each(CASES)('%s: from a device file', async (kind, expected) => {
    const t = phone();
    t.os.fs.writeFile('/data/local/tmp/h.apk', await readFile(await buildHostileApk(kind)));
    const r = await t.run('pm install -r -g /data/local/tmp/h.apk');
    expect(r.out).toMatch(expected);
    expect(r.status).toBe(expected.source.startsWith('^Success') ? 0 : 1);
    const installed = t.os.listPackages().filter((p) => !p.system).map((p) => p.packageName);
    expect(installed).toEqual(expected.source.startsWith('^Success') ? [HOSTILE_BASE_SPEC.packageName] : []);
  });

  it.each(CASES)('%s: streamed as adb install does (pm install -S)', async (kind, expected) => {
    const t = phone();
    const bytes = await readFile(await buildHostileApk(kind));
    const r = await t.run(`pm install -S ${bytes.length}`, { stdin: bytes });
    expect(r.out).toMatch(expected);
  });

  it('refuses an APK whose behaviour model does not parse, naming the asset, line and field', async () => {
    const t = phone();
    const broken = 'schemaVersion: 1\nmanifest:\n  package: [not, a, name\n';
    const apk = await buildTestApk({ ...HOSTILE_BASE_SPEC, assets: { 'consentry-model.yaml': broken } });
    t.os.fs.writeFile('/data/local/tmp/m.apk', await readFile(apk));
    const r = await t.run('pm install /data/local/tmp/m.apk');
    expect(r.out).toMatch(new RegExp(`^Failure \\[INSTALL_PARSE_FAILED_MANIFEST_MALFORMED: Failed to parse ${STAGED}: assets/consentry-model\\.yaml:4: not valid YAML`));
    expect(r.status).toBe(1);
    expect(t.os.listPackages().filter((p) => !p.system)).toEqual([]);
  });

  it('keeps a good install when a hostile update of the same package fails', async () => {
    const t = phone();
    t.os.fs.writeFile('/data/local/tmp/good.apk', await readFile(await buildTestApk(HOSTILE_BASE_SPEC)));
    expect((await t.run('pm install /data/local/tmp/good.apk')).out).toBe('Success\n');
    t.os.fs.writeFile('/data/local/tmp/bad.apk', await readFile(await buildHostileApk('bad-axml-zero-chunk')));
    expect((await t.run('pm install -r /data/local/tmp/bad.apk')).out).toMatch(BAD_MANIFEST);
    expect((await t.run(`pm list packages ${HOSTILE_BASE_SPEC.packageName}`)).out).toBe(`package:${HOSTILE_BASE_SPEC.packageName}\n`);
  });
});

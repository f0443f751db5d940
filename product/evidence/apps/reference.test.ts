import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../core/process.js';
import { AppInputError, inspectApp } from './index.js';
import { apktoolAvailable, buildTestApk, readZipItems, testKey, type TestApkSpec } from './test-support/index.js';
import { apksignerReport } from './test-support/oracles.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const temp = tempDirs('consentry-ref-test');

const haveApktool = await apktoolAvailable();
if (!haveApktool) console.warn('apktool is not installed (tooling/scripts/setup.sh installs it): repackaging tests are skipped');

const APP: TestApkSpec = { packageName: 'com.consentry.fixture.signed', versionCode: 5, classes: ['com.example.Thing'] };

describe.skipIf(!haveApktool)('repackaging check against a reference signer', () => {
  let official: string;
  let repackaged: string;
  let officialDigest: string;
  let dir: string;
  beforeAll(async () => {
    official = await buildTestApk(APP);
    repackaged = await buildTestApk({ ...APP, signing: { key: 'consentry-test-other' } });
    officialDigest = (await apksignerReport(official)).certificateSha256[0]!;
    dir = temp.make();
  }, 180_000);

  async function exportCert(rfc: boolean): Promise<string> {
    const key = testKey();
    const file = join(dir, rfc ? 'cert.pem' : 'cert.der');
    await runProcess('keytool', [
      '-exportcert', '-keystore', key.keystore, '-storetype', 'PKCS12', '-storepass', key.password,
      '-alias', key.alias, '-file', file, ...(rfc ? ['-rfc'] : []),
    ]);
    return file;
  }

  it('the official APK matches the reference APK; a re-signed copy does not', async () => {
    const same = (await inspectApp(official, { reference: official })).facts.reference!;
    expect(same).toMatchObject({ source: 'apk', matches: true, expectedSha256: [officialDigest], actualSha256: [officialDigest] });
    const other = (await inspectApp(repackaged, { reference: official })).facts.reference!;
    expect(other.matches).toBe(false);
    expect(other.actualSha256).toEqual((await apksignerReport(repackaged)).certificateSha256);
    expect(other.actualSha256).not.toEqual(other.expectedSha256);
  });

  it('a digest in apksigner or keytool spelling (colons, upper case) is accepted', async () => {
    const keytoolStyle = officialDigest.toUpperCase().match(/../g)!.join(':');
    for (const reference of [officialDigest, keytoolStyle]) {
      const check = (await inspectApp(official, { reference })).facts.reference!;
      expect(check).toMatchObject({ source: 'digest', matches: true });
    }
    expect((await inspectApp(repackaged, { reference: officialDigest })).facts.reference!.matches).toBe(false);
  });

  it('a certificate file in PEM or DER, or the v1 signature block, is accepted', async () => {
    for (const file of [await exportCert(true), await exportCert(false)]) {
      const check = (await inspectApp(official, { reference: file })).facts.reference!;
      expect(check).toMatchObject({ source: 'certificate', matches: true, expectedSha256: [officialDigest] });
    }
    const block = (await readZipItems(official)).find((i) => /^META-INF\/.*\.RSA$/.test(i.name))!;
    const blockFile = join(dir, 'CERT.RSA');
    await writeFile(blockFile, block.data);
    expect((await inspectApp(official, { reference: blockFile })).facts.reference!.matches).toBe(true);
  });

  it('a reference that is neither says what is expected', async () => {
    const notes = join(dir, 'notes.txt');
    await writeFile(notes, 'hello');
    for (const reference of ['deadbeef', notes]) {
      const err = await inspectApp(official, { reference }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppInputError);
      expect((err as AppInputError).code).toBe('APP_REFERENCE_INVALID');
      expect((err as AppInputError).message).toMatch(/expected a SHA-256 certificate digest .* certificate file .* or an APK/);
    }
  });
});

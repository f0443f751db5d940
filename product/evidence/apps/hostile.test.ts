import { describe, expect, it } from 'vitest';
import { EXIT } from '../../core/errors.js';
import { AppInputError, inspectApp, type AppErrorCode } from './index.js';
import { apktoolAvailable, buildHostileApk, buildTestApk, HOSTILE_BASE_SPEC, type HostileKind } from './test-support/index.js';

const haveApktool = await apktoolAvailable();
if (!haveApktool) console.warn('apktool is not installed (tooling/scripts/setup.sh installs it): hostile-APK tests are skipped');

async function rejection(file: string, options: Parameters<typeof inspectApp>[1] = {}): Promise<AppInputError> {
  try {
    await inspectApp(file, options);
  } catch (err) {
    expect(err).toBeInstanceOf(AppInputError);
    return err as AppInputError;
  }
  throw new Error(`${file} was accepted`);
}

const CASES: [HostileKind, AppErrorCode, RegExp, string | undefined][] = [
  ['zip-bomb', 'APP_ZIP_BOMB', /inflates \d+x/, 'assets/bomb.bin'],
  ['lying-sizes', 'APP_ZIP_BOMB', /more than its header declares/, 'AndroidManifest.xml'],
  ['truncated', 'APP_ZIP_INVALID', /truncated or not a zip/, undefined],
  ['bad-axml-zero-chunk', 'APP_MANIFEST_INVALID', /bad chunk 0x180 \(header 8, size 0\)/, 'AndroidManifest.xml'],
  ['bad-axml-garbage', 'APP_MANIFEST_INVALID', /not binary XML/, 'AndroidManifest.xml'],
  ['bad-axml-string-count', 'APP_MANIFEST_INVALID', /string pool of 100000000 strings/, 'AndroidManifest.xml'],
  ['path-traversal', 'APP_ZIP_TRAVERSAL', /unsafe entry name .*\.\.\/\.\.\/\.\.\/evil\.so/, undefined],
  ['invalid-package-name', 'APP_MANIFEST_VALUE', /"com\.x;rm -rf \/" is not a valid package name/, 'AndroidManifest.xml: manifest@package'],
  ['huge-dex-counts', 'APP_DEX_INVALID', /string_ids: 2147483647 items/, 'classes.dex'],
  ['not-a-zip', 'APP_UNSUPPORTED_FORMAT', /not a zip archive: expected an APK/, undefined],
];

describe.skipIf(!haveApktool)('hostile APKs get a clear error naming the file and the part', () => {
  it('the unmodified base of the hostile variants is accepted', async () => {
    const { facts } = await inspectApp(await buildTestApk(HOSTILE_BASE_SPEC));
    expect(facts.manifest.packageName).toBe(HOSTILE_BASE_SPEC.packageName);
  });

  it.each(CASES)('%s → %s', async (kind, code, message, field) => {
    const file = await buildHostileApk(kind);
    const err = await rejection(file);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.file).toBe(file);
    if (field) expect(err.field).toBe(field);
    expect(err.exitCode).toBe(EXIT.usage);
  });

  it('a DEX larger than the configured cap is refused before it is inflated', async () => {
    const apk = await buildTestApk(HOSTILE_BASE_SPEC);
    const err = await rejection(apk, { maxDexBytes: 64 });
    expect(err.code).toBe('APP_ENTRY_TOO_LARGE');
    expect(err.field).toBe('classes.dex');
  });

  it('an archive past the declared-size cap is refused from its central directory', async () => {
    const apk = await buildTestApk(HOSTILE_BASE_SPEC);
    const err = await rejection(apk, {
      limits: { maxEntries: 1000, maxTotalBytes: 100, maxRatio: 100, ratioFloorBytes: 1 << 20 },
    });
    expect(err.code).toBe('APP_ZIP_BOMB');
    expect(err.message).toMatch(/more than 100 bytes uncompressed/);
  });

  it('an archive with too many entries is refused before they are listed', async () => {
    const apk = await buildTestApk(HOSTILE_BASE_SPEC);
    const err = await rejection(apk, {
      limits: { maxEntries: 2, maxTotalBytes: 1 << 30, maxRatio: 100, ratioFloorBytes: 1 << 20 },
    });
    expect(err.code).toBe('APP_ZIP_BOMB');
    expect(err.message).toMatch(/entries \(at most 2 accepted\)/);
  });
});

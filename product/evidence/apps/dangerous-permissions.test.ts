import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { androidAttr, asString, parseAxml, type AttrValue } from './axml.js';
import { DANGEROUS_PERMISSIONS, isDangerousPermission } from './dangerous-permissions.js';
import { withArchive } from './zip-archive.js';

// Android 10's own framework-res.apk (Debian's android-framework-res, the framework apktool
// compiles against): its manifest declares every platform permission with its protection level.
const FRAMEWORK = '/usr/share/android-framework-res/framework-res.apk';
const FRAMEWORK_API = 29;
const PROTECTION_DANGEROUS = 1;

function level(v: AttrValue | undefined): number | undefined {
  if (v?.type === 'int') return v.value;
  if (v?.type === 'other') return v.data;
  return undefined;
}

describe('dangerous permission list', () => {
  it.skipIf(!existsSync(FRAMEWORK))('matches the platform manifest for every permission up to its API level', async () => {
    const root = parseAxml(await withArchive(FRAMEWORK, (a) => a.read('AndroidManifest.xml', 16 * 1024 * 1024)));
    const platform = root.children
      .filter((el) => el.name === 'permission' && ((level(androidAttr(el, 'protectionLevel')) ?? 0) & 0xf) === PROTECTION_DANGEROUS)
      .map((el) => asString(androidAttr(el, 'name'))!)
      .sort();
    const ours = DANGEROUS_PERMISSIONS.filter((p) => p.sinceApi <= FRAMEWORK_API)
      .map((p) => p.name)
      .sort();
    expect(platform.length).toBeGreaterThan(20);
    expect(ours).toEqual(platform);
  });

  it('has one row per permission and knows normal permissions are not dangerous', () => {
    const names = DANGEROUS_PERMISSIONS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    expect(isDangerousPermission('android.permission.INTERNET')).toBe(false);
    expect(isDangerousPermission('android.permission.POST_NOTIFICATIONS')).toBe(true);
  });
});

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTestApk, defaultCacheDir, type BuildOptions, type TestApkSpec } from './apk-builder.js';
import { centralDirectoryHeaders, patchBytes, readZipItems, writeZip, type ZipItem } from './zip-edit.js';

/**
 * Hostile variants of a real test APK, each aimed at one defence of app intake. They start from
 * an APK apktool built, so everything but the attacked part is genuine.
 */
export const HOSTILE_KINDS = [
  /** 16 MiB of zeros deflated to a few KB: the compression-ratio cap. */
  'zip-bomb',
  /** AndroidManifest.xml inflates to more than its header declares: the streaming cap. */
  'lying-sizes',
  /** The first 60% of the file: no central directory. */
  'truncated',
  /** Binary XML with a zero-size chunk (loops forever in a naive parser). */
  'bad-axml-zero-chunk',
  /** A manifest of random bytes. */
  'bad-axml-garbage',
  /** A string pool that declares 100 million strings. */
  'bad-axml-string-count',
  /** An entry named ../../../evil.so. */
  'path-traversal',
  /** package="com.x;rm -rf /" in the compiled manifest. */
  'invalid-package-name',
  /** classes.dex whose header claims 2^31-1 strings. */
  'huge-dex-counts',
  /** Not a zip at all. */
  'not-a-zip',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

/** Same length as INJECTED so the compiled string pool can be patched in place. */
const PLACEHOLDER_PACKAGE = 'com.x.aaaaaaaa';
const INJECTED_PACKAGE = 'com.x;rm -rf /';

export const HOSTILE_BASE_SPEC: TestApkSpec = {
  packageName: PLACEHOLDER_PACKAGE,
  versionCode: 3,
  versionName: '3.0',
  components: [{ kind: 'activity', name: '.Main', launcher: true, exported: true }],
  classes: ['com.umeng.analytics.MobclickAgent'],
  assets: { 'placeholder.txt': 'XXevil' },
};

export async function buildHostileApk(kind: HostileKind, options: BuildOptions = {}): Promise<string> {
  const baseFile = await buildTestApk(HOSTILE_BASE_SPEC, options);
  const base = await readFile(baseFile);
  const dir = options.cacheDir ?? defaultCacheDir();
  const key = createHash('sha256').update(base).update(kind).digest('hex').slice(0, 16);
  const out = join(dir, `hostile-${kind}-${key}.${kind === 'not-a-zip' ? 'txt' : 'apk'}`);
  if (existsSync(out)) return out;
  const bytes = await variant(kind, base, baseFile);
  await mkdir(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, out);
  return out;
}

async function variant(kind: HostileKind, base: Buffer, baseFile: string): Promise<Buffer> {
  const items = () => readZipItems(baseFile);
  const replace = async (name: string, edit: (data: Buffer) => Buffer): Promise<Buffer> => {
    const list = await items();
    const item = list.find((i) => i.name === name);
    if (!item) throw new Error(`hostile ${kind}: base APK has no ${name}`);
    item.data = edit(item.data);
    return writeZip(list.filter((i) => !i.name.startsWith('META-INF/')));
  };
  switch (kind) {
    case 'zip-bomb':
      return writeZip([...(await items()), { name: 'assets/bomb.bin', data: Buffer.alloc(16 * 1024 * 1024) }]);
    case 'lying-sizes': {
      const zip = await writeZip(await items());
      const name = Buffer.from('AndroidManifest.xml');
      for (const h of centralDirectoryHeaders(zip)) {
        const nameLen = zip.readUInt16LE(h + 28);
        if (zip.subarray(h + 46, h + 46 + nameLen).equals(name)) zip.writeUInt32LE(64, h + 24);
      }
      return zip;
    }
    case 'truncated':
      return base.subarray(0, Math.floor(base.length * 0.6));
    case 'bad-axml-zero-chunk': {
      const axml = Buffer.alloc(24);
      axml.writeUInt16LE(0x0003, 0);
      axml.writeUInt16LE(8, 2);
      axml.writeUInt32LE(24, 4);
      // A chunk whose size (0) is smaller than its header: no progress for a naive reader.
      axml.writeUInt16LE(0x0180, 8);
      axml.writeUInt16LE(8, 10);
      axml.writeUInt32LE(0, 12);
      return replace('AndroidManifest.xml', () => axml);
    }
    case 'bad-axml-garbage': {
      const garbage = createHash('sha512').update('consentry').digest();
      return replace('AndroidManifest.xml', () => Buffer.concat([garbage, garbage, garbage]));
    }
    case 'bad-axml-string-count':
      return replace('AndroidManifest.xml', (data) => {
        const out = Buffer.from(data);
        // The first chunk after the 8-byte document header is the string pool; its count is at +8.
        out.writeUInt32LE(100_000_000, 8 + 8);
        return out;
      });
    case 'path-traversal': {
      const zip = await writeZip([...(await items()), { name: 'assets/XXevil.so', data: Buffer.from('x') }]);
      return patchBytes(zip, Buffer.from('assets/XXevil.so'), Buffer.from('../../../evil.so'));
    }
    case 'invalid-package-name':
      return replace('AndroidManifest.xml', (data) => patchPackage(data));
    case 'huge-dex-counts':
      return replace('classes.dex', (data) => {
        const out = Buffer.from(data);
        out.writeUInt32LE(0x7fffffff, 0x38);
        return out;
      });
    case 'not-a-zip':
      return Buffer.from('this is a privacy policy, not an app\n');
  }
}

function patchPackage(manifest: Buffer): Buffer {
  for (const enc of ['utf16le', 'utf8'] as const) {
    const from = Buffer.from(PLACEHOLDER_PACKAGE, enc);
    if (manifest.includes(from)) return patchBytes(manifest, from, Buffer.from(INJECTED_PACKAGE, enc));
  }
  throw new Error('hostile invalid-package-name: placeholder package not found in the manifest');
}

export type { ZipItem };

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildTestApk, defaultCacheDir, type BuildOptions, type TestApkSpec } from './apk-builder.js';
import { writeZip, type ZipItem } from './zip-edit.js';

/**
 * Split-APK containers built from real test APKs: bundletool's .apks layout (toc.pb +
 * splits/base-master.apk + splits/base-<config>.apk) and the XAPK layout (manifest.json + APKs
 * + optional OBBs under Android/obb/<package>/).
 */
export interface SplitSet {
  base: TestApkSpec;
  /** Each must set `split`, e.g. "config.arm64_v8a". */
  splits: TestApkSpec[];
}

export async function buildTestApks(set: SplitSet, options: BuildOptions = {}): Promise<string> {
  const { base, splits } = await buildParts(set, options);
  const items: ZipItem[] = [
    // bundletool writes a protobuf table of contents; intake does not need it, only its presence.
    { name: 'toc.pb', data: Buffer.alloc(0) },
    { name: 'splits/base-master.apk', data: base, store: true },
    ...splits.map((s) => ({ name: `splits/base-${s.name.replace(/^config\./, '')}.apk`, data: s.data, store: true })),
  ];
  return cached(options, 'apks', items);
}

export interface XapkOptions extends BuildOptions {
  obbs?: { name: string; content: string }[];
  /** Override manifest.json's package_name (for inconsistency tests). */
  declaredPackage?: string;
}

export async function buildTestXapk(set: SplitSet, options: XapkOptions = {}): Promise<string> {
  const { base, splits } = await buildParts(set, options);
  const pkg = options.declaredPackage ?? set.base.packageName;
  const manifest = {
    xapk_version: 2,
    package_name: pkg,
    name: set.base.label ?? pkg,
    version_code: String(set.base.versionCode ?? 1),
    version_name: set.base.versionName ?? '1.0',
    min_sdk_version: String(set.base.minSdk ?? 21),
    target_sdk_version: String(set.base.targetSdk ?? 30),
    split_apks: [{ file: `${set.base.packageName}.apk`, id: 'base' }, ...splits.map((s) => ({ file: `${s.name}.apk`, id: s.name }))],
    expansions: (options.obbs ?? []).map((o) => ({
      file: `Android/obb/${pkg}/${o.name}`,
      install_location: 'EXTERNAL_STORAGE',
      install_path: `Android/obb/${pkg}/${o.name}`,
    })),
  };
  const items: ZipItem[] = [
    { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2)) },
    { name: `${set.base.packageName}.apk`, data: base, store: true },
    ...splits.map((s) => ({ name: `${s.name}.apk`, data: s.data, store: true })),
    ...(options.obbs ?? []).map((o) => ({ name: `Android/obb/${pkg}/${o.name}`, data: Buffer.from(o.content) })),
  ];
  return cached(options, 'xapk', items);
}

async function buildParts(set: SplitSet, options: BuildOptions) {
  const base = await readFile(await buildTestApk(set.base, options));
  const splits = [];
  for (const spec of set.splits) {
    if (!spec.split) throw new Error(`split spec for ${spec.packageName} has no "split" name`);
    splits.push({ name: spec.split, data: await readFile(await buildTestApk(spec, options)) });
  }
  return { base, splits };
}

async function cached(options: BuildOptions, ext: string, items: ZipItem[]): Promise<string> {
  const dir = options.cacheDir ?? defaultCacheDir();
  const hash = createHash('sha256');
  for (const i of items) hash.update(i.name).update(i.data);
  const out = join(dir, `container-${hash.digest('hex').slice(0, 24)}.${ext}`);
  if (existsSync(out)) return out;
  await mkdir(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, await writeZip(items));
  await rename(tmp, out);
  return out;
}

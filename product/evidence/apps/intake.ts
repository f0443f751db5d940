import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { printable, safeFileSegment } from '../../core/untrusted.js';
import { AppInputError } from './errors.js';
import type { ManifestFacts } from './facts-schema.js';
import { MANIFEST_ENTRY, readApkManifest, readManifestFrom } from './manifest.js';
import { DEFAULT_ARCHIVE_LIMITS, withArchive, type ArchiveLimits, type ZipArchive } from './zip-archive.js';

/**
 * App intake: one file in (APK, bundletool's .apks, XAPK), one AppPackage out with the APK
 * files to install in `adb install-multiple` order (base first) and their digests. Parts of
 * containers are extracted under a work folder with safe names; nothing from the archive is
 * used as a path.
 */
export type AppKind = 'apk' | 'apks' | 'xapk';

export interface AppFile {
  path: string;
  role: 'base' | 'split';
  splitName?: string;
  size: number;
  sha256: string;
  manifest: ManifestFacts;
}

export interface ObbFile {
  path: string;
  /** Where it goes on the device, relative to external storage: Android/obb/<package>/<name>. */
  devicePath: string;
  size: number;
  sha256: string;
}

export interface AppPackage {
  kind: AppKind;
  source: string;
  packageName: string;
  versionName?: string;
  versionCode?: number;
  /** Base then splits: the order `adb install-multiple` takes. */
  files: AppFile[];
  obbs: ObbFile[];
  /** Folder intake created for extracted parts (containers only); removeAppPackage() deletes it. */
  workDir?: string;
}

export interface IntakeOptions {
  /**
   * Parent of the fresh folder container parts are extracted to; os.tmpdir() by default. Intake
   * only ever deletes the folder it created inside it.
   */
  tempRoot?: string;
  limits?: ArchiveLimits;
}

const ZIP_MAGIC = 0x04034b50;
const UNSUPPORTED =
  'expected an APK (a zip with AndroidManifest.xml), split APKs (.apks from bundletool) or an XAPK (manifest.json with APKs)';

export async function intakeApp(file: string, options: IntakeOptions = {}): Promise<AppPackage> {
  const source = resolve(file);
  await assertZip(source);
  const limits = options.limits ?? DEFAULT_ARCHIVE_LIMITS;
  const plan = await withArchive(source, (a) => planContainer(a), limits);
  if (plan.kind === 'apk') {
    const base = await describeApk(source, plan.manifest);
    return finish({ kind: 'apk', source, files: [base], obbs: [] });
  }
  const root = options.tempRoot ?? tmpdir();
  await mkdir(root, { recursive: true });
  const workDir = await mkdtemp(join(root, 'consentry-intake-'));
  try {
    const { apks, obbs } = await withArchive(source, (a) => extractParts(a, plan, workDir, limits), limits);
    const files = await Promise.all(apks.map((p) => describeApk(p)));
    const obbFiles = await Promise.all(
      obbs.map(async (o) => ({ path: o.path, devicePath: o.devicePath, ...(await digest(o.path)) })),
    );
    const pkg = finish({ kind: plan.kind, source, files, obbs: obbFiles, workDir });
    if (plan.declaredPackage !== undefined && plan.declaredPackage !== pkg.packageName) {
      throw new AppInputError(
        'APP_SPLITS_INCONSISTENT',
        `manifest.json names "${printable(plan.declaredPackage)}" but the APKs are "${pkg.packageName}"`,
        { file: source, field: 'manifest.json: package_name' },
      );
    }
    return pkg;
  } catch (err) {
    await rm(workDir, { recursive: true, force: true });
    throw err;
  }
}

/** Deletes what intake extracted (never the source file). */
export async function removeAppPackage(pkg: AppPackage): Promise<void> {
  if (pkg.workDir) await rm(pkg.workDir, { recursive: true, force: true });
}

/** Keeps the base and the splits a device with these ABIs can use (bundletool's ABI targeting). */
export function splitsForAbis(pkg: AppPackage, abis: string[]): AppFile[] {
  const wanted = new Set(abis.map((a) => a.replace(/-/g, '_')));
  return pkg.files.filter((f) => {
    const m = /^config\.(arm64_v8a|armeabi_v7a|armeabi|x86_64|x86|mips64|mips)$/.exec(f.splitName ?? '');
    return !m || wanted.has(m[1]!);
  });
}

async function assertZip(file: string): Promise<void> {
  let head: Buffer;
  try {
    const fh = await open(file, 'r');
    try {
      head = Buffer.alloc(4);
      const { bytesRead } = await fh.read(head, 0, 4, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (cause) {
    throw new AppInputError('APP_UNSUPPORTED_FORMAT', `cannot read the app file: ${(cause as Error).message}`, { file, cause });
  }
  if (head.length < 4 || head.readUInt32LE(0) !== ZIP_MAGIC) {
    throw new AppInputError('APP_UNSUPPORTED_FORMAT', `not a zip archive: ${UNSUPPORTED}`, { file });
  }
}

interface ContainerPlan {
  kind: AppKind;
  /** Read while the archive is open, for a plain APK. */
  manifest?: ManifestFacts;
  apkEntries: string[];
  obbEntries: { entry: string; devicePath: string }[];
  declaredPackage?: string;
}

async function planContainer(archive: ZipArchive): Promise<ContainerPlan> {
  const names = archive.entries.map((e) => e.name);
  if (archive.has(MANIFEST_ENTRY)) {
    return { kind: 'apk', manifest: await readManifestFrom(archive), apkEntries: [], obbEntries: [] };
  }
  if (archive.has('manifest.json')) {
    const text = (await archive.read('manifest.json', 1024 * 1024)).toString('utf8');
    // Loaded here, not at import: its schema and parser (zod, yaml) serve XAPKs only.
    const { parseXapkManifest } = await import('./xapk-manifest.js');
    const m = parseXapkManifest(text, `${archive.file}!manifest.json`);
    const apkEntries = m.split_apks?.length ? m.split_apks.map((s) => s.file) : names.filter((n) => /^[^/]+\.apk$/i.test(n));
    for (const e of apkEntries) {
      if (!archive.has(e)) {
        throw new AppInputError('APP_SPLITS_INCONSISTENT', `manifest.json lists "${printable(e)}", which the XAPK does not hold`, {
          file: archive.file,
          field: 'manifest.json: split_apks',
        });
      }
    }
    const pkg = m.package_name;
    const obbEntries = (m.expansions ?? []).map((x) => {
      const name = safeFileSegment(basename(x.install_path ?? x.file));
      if (!archive.has(x.file) || !/\.obb$/i.test(name) || !pkg) {
        throw new AppInputError('APP_SPLITS_INCONSISTENT', `expansion "${printable(x.file)}" is missing or not an .obb`, {
          file: archive.file,
          field: 'manifest.json: expansions',
        });
      }
      return { entry: x.file, devicePath: `Android/obb/${pkg}/${name}` };
    });
    if (apkEntries.length === 0) throw unsupported(archive.file, 'the XAPK holds no APK');
    return { kind: 'xapk', apkEntries, obbEntries, ...(pkg !== undefined ? { declaredPackage: pkg } : {}) };
  }
  // bundletool build-apks: splits/*.apk (and standalones/ for pre-Lollipop, which we skip),
  // or universal.apk in --mode=universal.
  const splits = names.filter((n) => /^splits\/[^/]+\.apk$/.test(n));
  const apkEntries = splits.length ? splits : names.filter((n) => /^[^/]+\.apk$/.test(n));
  if (apkEntries.length === 0) throw unsupported(archive.file, 'no AndroidManifest.xml, manifest.json or APK inside');
  return { kind: 'apks', apkEntries, obbEntries: [] };
}

function unsupported(file: string, why: string): AppInputError {
  return new AppInputError('APP_UNSUPPORTED_FORMAT', `${why}: ${UNSUPPORTED}`, { file });
}

async function extractParts(
  archive: ZipArchive,
  plan: ContainerPlan,
  workDir: string,
  limits: ArchiveLimits,
): Promise<{ apks: string[]; obbs: { path: string; devicePath: string }[] }> {
  const used = new Set<string>();
  const target = (entry: string, sub: string) => {
    let name = safeFileSegment(basename(entry));
    for (let i = 2; used.has(`${sub}/${name}`); i += 1) name = `${i}-${safeFileSegment(basename(entry))}`;
    used.add(`${sub}/${name}`);
    return join(workDir, sub, name);
  };
  await mkdir(join(workDir, 'apk'), { recursive: true });
  const apks: string[] = [];
  for (const entry of plan.apkEntries) {
    const dest = target(entry, 'apk');
    await archive.extract(entry, dest, limits.maxTotalBytes);
    apks.push(dest);
  }
  const obbs: { path: string; devicePath: string }[] = [];
  if (plan.obbEntries.length) await mkdir(join(workDir, 'obb'), { recursive: true });
  for (const o of plan.obbEntries) {
    const dest = target(o.entry, 'obb');
    await archive.extract(o.entry, dest, limits.maxTotalBytes);
    obbs.push({ path: dest, devicePath: o.devicePath });
  }
  return { apks, obbs };
}

async function describeApk(path: string, known?: ManifestFacts): Promise<AppFile> {
  const manifest = known ?? (await readApkManifest(path));
  const { size, sha256 } = await digest(path);
  return {
    path,
    role: manifest.splitName === undefined ? 'base' : 'split',
    ...(manifest.splitName !== undefined ? { splitName: manifest.splitName } : {}),
    size,
    sha256,
    manifest,
  };
}

function finish(parts: Omit<AppPackage, 'packageName'>): AppPackage {
  const bases = parts.files.filter((f) => f.role === 'base');
  if (bases.length !== 1) {
    throw new AppInputError(
      'APP_SPLITS_INCONSISTENT',
      `expected exactly one base APK (a manifest without split=""), found ${bases.length}`,
      { file: parts.source },
    );
  }
  const base = bases[0]!;
  for (const f of parts.files) {
    if (f.manifest.packageName !== base.manifest.packageName || f.manifest.versionCode !== base.manifest.versionCode) {
      throw new AppInputError(
        'APP_SPLITS_INCONSISTENT',
        `split "${f.splitName ?? basename(f.path)}" is ${f.manifest.packageName}@${f.manifest.versionCode ?? '?'}, ` +
          `the base is ${base.manifest.packageName}@${base.manifest.versionCode ?? '?'}`,
        { file: parts.source },
      );
    }
  }
  const splits = parts.files.filter((f) => f.role === 'split').sort((a, b) => (a.splitName ?? '').localeCompare(b.splitName ?? ''));
  return {
    ...parts,
    packageName: base.manifest.packageName,
    ...(base.manifest.versionName !== undefined ? { versionName: base.manifest.versionName } : {}),
    ...(base.manifest.versionCode !== undefined ? { versionCode: base.manifest.versionCode } : {}),
    files: [base, ...splits],
  };
}

export async function digest(path: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { size: (await stat(path)).size, sha256: hash.digest('hex') };
}

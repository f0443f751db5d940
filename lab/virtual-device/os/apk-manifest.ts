import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { PackageManagerFailure } from './android-errors.js';

/**
 * What the package manager needs from an APK's AndroidManifest.xml. Read with an implementation
 * that shares no code with the product's APK reader (the zip through yauzl, the binary XML
 * through @devicefarmer/adbkit-apkreader's parser), so that every e2e test holds the product's
 * parser against something independent. The bounds are the simulator's own: a hostile APK pushed
 * to the virtual device fails its install like on a phone instead of hanging or exhausting the host.
 */
export interface ApkInfo {
  packageName: string;
  versionCode: number;
  versionName: string;
  minSdk: number | undefined;
  targetSdk: number | undefined;
  permissions: string[];
  activities: string[];
  /** The MAIN/LAUNCHER activity, fully qualified. */
  launchActivity: string | undefined;
  /** <instrumentation android:name targetPackage> entries. */
  instrumentations: { name: string; targetPackage: string }[];
  /** split="..." of a split APK; undefined for the base APK. */
  split: string | undefined;
  /** The behaviour model the APK embeds for the virtual device (assets/consentry-model.yaml), as text. */
  modelText?: string;
}

/** Where an APK built for the lab carries its behaviour model (see ../models/schema.ts). */
const MODEL_ENTRY = 'assets/consentry-model.yaml';
const MAX_MODEL_BYTES = 2 * 1024 * 1024;

const MANIFEST = 'AndroidManifest.xml';
/** Far above any real manifest (the largest seen in the wild are a few hundred KB). */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** The central directory of an APK rarely passes 20,000 entries; a bigger one is refused. */
const MAX_ENTRIES = 200_000;
/**
 * The simulator's own guard against archives built to exhaust the host (a phone would store such
 * an entry and fail later, in dex2oat or on disk): an entry that inflates more than this many
 * times and to more than BOMB_MIN_BYTES is treated as a bomb and the archive refused.
 */
const BOMB_RATIO = 200;
const BOMB_MIN_BYTES = 4 * 1024 * 1024;

/** adbkit-apkreader's manifest parser (CommonJS, no type declarations): the fields read here. */
interface ParsedElement {
  name?: unknown;
  intentFilters?: { actions?: { name?: unknown }[]; categories?: { name?: unknown }[] }[];
}
interface ParsedManifest {
  package?: unknown;
  versionCode?: unknown;
  versionName?: unknown;
  split?: unknown;
  usesSdk: { minSdkVersion?: unknown; targetSdkVersion?: unknown } | null;
  usesPermissions: { name?: unknown }[];
  instrumentation: { name?: unknown; targetPackage?: unknown } | null;
  application: { activities?: ParsedElement[]; activityAliases?: ParsedElement[]; launcherActivities?: ParsedElement[] };
}
type ManifestParserClass = new (buffer: Buffer) => { parse(): ParsedManifest };
const ManifestParser = createRequire(import.meta.url)('@devicefarmer/adbkit-apkreader/lib/apkreader/parser/manifest') as ManifestParserClass;

/** Android's rule for package names (PackageParser.validateName): two or more Java-like segments. */
const PACKAGE_NAME = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

function notApk(stagedPath: string): PackageManagerFailure {
  // libandroidfw refuses the archive before any manifest is read.
  return new PackageManagerFailure('INSTALL_PARSE_FAILED_NOT_APK', `Failed to parse ${stagedPath}: Failed to load asset path ${stagedPath}`);
}

function openZip(apk: Buffer): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(apk, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, zip) => (err || !zip ? reject(err ?? new Error('no zip')) : resolve(zip)));
  });
}

/** Walks the central directory: the manifest entry (and the model's), or a refusal for a malformed archive. */
function findManifest(zip: yauzl.ZipFile, stagedPath: string): Promise<{ manifest: yauzl.Entry; model?: yauzl.Entry }> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    let manifest: yauzl.Entry | undefined;
    let model: yauzl.Entry | undefined;
    zip.on('entry', (entry: yauzl.Entry) => {
      seen += 1;
      const name = entry.fileName;
      // A name that climbs out of the archive or is absolute: the asset manager refuses the APK.
      const bomb = entry.uncompressedSize > BOMB_MIN_BYTES && entry.uncompressedSize > BOMB_RATIO * Math.max(1, entry.compressedSize);
      if (seen > MAX_ENTRIES || bomb || name.startsWith('/') || name.split(/[\\/]/).includes('..')) {
        zip.close();
        reject(notApk(stagedPath));
        return;
      }
      if (name === MANIFEST) manifest = entry;
      if (name === MODEL_ENTRY) model = entry;
      zip.readEntry();
    });
    zip.on('end', () => (manifest ? resolve({ manifest, ...(model ? { model } : {}) }) : reject(notApk(stagedPath))));
    zip.on('error', () => reject(notApk(stagedPath)));
    zip.readEntry();
  });
}

/** An entry's bytes, never more than `max` whatever the entry claims. */
function readEntryBytes(zip: yauzl.ZipFile, entry: yauzl.Entry, stagedPath: string, max = MAX_MANIFEST_BYTES): Promise<Buffer> {
  if (entry.uncompressedSize > max) return Promise.reject(notApk(stagedPath));
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream?: Readable) => {
      if (err || !stream) return reject(notApk(stagedPath));
      const chunks: Buffer[] = [];
      let total = 0;
      stream.on('data', (chunk: Buffer) => {
        total += chunk.length;
        if (total > max) {
          stream.destroy();
          reject(notApk(stagedPath));
          return;
        }
        chunks.push(chunk);
      });
      stream.on('error', () => reject(notApk(stagedPath)));
      stream.on('end', () => resolve(Buffer.concat(chunks, total)));
    });
  });
}

/**
 * Android's binary XML (ResXMLTree) walked as chunks before the parser sees it: a chunk that
 * claims less than its header, more than its parent, or a string pool whose counts do not fit its
 * size makes the framework throw; it would also send a naive parser into a loop, so it is refused
 * here first.
 */
function binaryXmlIsSound(xml: Buffer): boolean {
  if (xml.length < 8 || xml.readUInt16LE(0) !== 0x0003 || xml.readUInt16LE(2) !== 8) return false;
  const end = xml.readUInt32LE(4);
  if (end < 8 || end > xml.length) return false;
  let offset = 8;
  while (offset < end) {
    if (offset + 8 > end) return false;
    const type = xml.readUInt16LE(offset);
    const headerSize = xml.readUInt16LE(offset + 2);
    const size = xml.readUInt32LE(offset + 4);
    if (headerSize < 8 || size < headerSize || offset + size > end) return false;
    if (type === 0x0001) {
      // String pool: stringCount and styleCount offsets follow the 28-byte header.
      if (headerSize < 28) return false;
      const strings = xml.readUInt32LE(offset + 8);
      const styles = xml.readUInt32LE(offset + 12);
      const stringsStart = xml.readUInt32LE(offset + 20);
      if (headerSize + 4 * (strings + styles) > size || stringsStart > size) return false;
    }
    offset += size;
  }
  return true;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function integer(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  return undefined;
}

/** ".Main" and "Main" are relative to the package, as the framework resolves them. */
function qualify(packageName: string, name: string): string {
  if (name.startsWith('.')) return packageName + name;
  return name.includes('.') ? name : `${packageName}.${name}`;
}

function toApkInfo(m: ParsedManifest, stagedPath: string): ApkInfo {
  const packageName = text(m.package);
  if (!packageName || !PACKAGE_NAME.test(packageName)) {
    throw new PackageManagerFailure('INSTALL_PARSE_FAILED_BAD_PACKAGE_NAME', 'Invalid manifest package');
  }
  const names = (list: ParsedElement[] | undefined) => (list ?? []).map((e) => text(e.name)).filter((n): n is string => n !== undefined).map((n) => qualify(packageName, n));
  const launcher = names(m.application.launcherActivities)[0];
  const instrumentationName = text(m.instrumentation?.name);
  const instrumentationTarget = text(m.instrumentation?.targetPackage);
  if (m.versionCode !== undefined && integer(m.versionCode) === undefined) {
    throw new PackageManagerFailure('INSTALL_PARSE_FAILED_MANIFEST_MALFORMED', `Failed to parse ${stagedPath}: bad versionCode`);
  }
  return {
    packageName,
    versionCode: integer(m.versionCode) ?? 0,
    versionName: text(m.versionName) ?? (typeof m.versionName === 'number' ? String(m.versionName) : ''),
    minSdk: integer(m.usesSdk?.minSdkVersion),
    targetSdk: integer(m.usesSdk?.targetSdkVersion),
    permissions: m.usesPermissions.map((p) => text(p.name)).filter((n): n is string => n !== undefined),
    activities: [...names(m.application.activities), ...names(m.application.activityAliases)],
    launchActivity: launcher,
    instrumentations: instrumentationName && instrumentationTarget ? [{ name: qualify(packageName, instrumentationName), targetPackage: instrumentationTarget }] : [],
    split: text(m.split),
  };
}

/**
 * Reads one APK of an install. `stagedPath` is where the installer staged it
 * (/data/app/vmdlSESSION.tmp/base.apk), which Android's failure messages name.
 * Throws PackageManagerFailure for anything Android would refuse, in PackageManagerService's
 * words (ApkLiteParseUtils / ParsingPackageUtils on Android 11+).
 */
export async function readApkInfo(apk: Buffer, stagedPath: string): Promise<ApkInfo> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(apk);
  } catch {
    throw notApk(stagedPath);
  }
  try {
    const entries = await findManifest(zip, stagedPath);
    const bytes = await readEntryBytes(zip, entries.manifest, stagedPath);
    const modelText = entries.model ? (await readEntryBytes(zip, entries.model, stagedPath, MAX_MODEL_BYTES)).toString('utf8') : undefined;
    let parsed: ParsedManifest;
    try {
      if (!binaryXmlIsSound(bytes)) throw new Error('unsound binary XML');
      parsed = new ManifestParser(bytes).parse();
    } catch {
      throw new PackageManagerFailure('INSTALL_PARSE_FAILED_UNEXPECTED_EXCEPTION', `Failed to parse ${stagedPath}: ${MANIFEST}`);
    }
    const info = toApkInfo(parsed, stagedPath);
    return modelText === undefined ? info : { ...info, modelText };
  } finally {
    zip.close();
  }
}

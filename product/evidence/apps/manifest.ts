import { isValidPackageName, printable } from '../../core/untrusted.js';
import {
  androidAttr,
  asBool,
  asInt,
  asString,
  AxmlError,
  type AttrValue,
  parseAxml,
  plainAttr,
  type XmlElement,
} from './axml.js';
import { ResourceTable } from './arsc.js';
import { dangerousPermission } from './dangerous-permissions.js';
import { AppInputError } from './errors.js';
import type { ComponentFacts, ComponentKind, ManifestFacts, RequestedPermission } from './facts-schema.js';
import { withArchive, ZipArchive } from './zip-archive.js';

export const MANIFEST_ENTRY = 'AndroidManifest.xml';
/** Real manifests are tens of KB; anything past this is not a manifest consentry will parse. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
const RESOURCES_ENTRY = 'resources.arsc';
/** The largest real tables are tens of MB; the label is not worth more. */
const MAX_RESOURCES_BYTES = 64 * 1024 * 1024;

const INTENT_MAIN = 'android.intent.action.MAIN';
const CATEGORY_LAUNCHER = 'android.intent.category.LAUNCHER';
// Java binary names, Unicode letters allowed (JLS 3.8); `$` for nested classes.
const CLASS_NAME_RE = /^[\p{L}_$][\p{L}\p{N}_$]*(\.[\p{L}_$][\p{L}\p{N}_$]*)*$/u;
const PERMISSION_NAME_RE = /^[\p{L}\p{N}_$][\p{L}\p{N}_.$-]*$/u;
const SPLIT_NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;
const MAX_VERSION_NAME = 256;

/** Reads and interprets AndroidManifest.xml of one APK file. */
export async function readApkManifest(apkPath: string): Promise<ManifestFacts> {
  return withArchive(apkPath, (archive) => readManifestFrom(archive));
}

/** The same for APK bytes in memory; `name` identifies them in errors. */
export async function readApkManifestBuffer(apk: Buffer, name: string): Promise<ManifestFacts> {
  const archive = await ZipArchive.fromBuffer(apk, name);
  try {
    return await readManifestFrom(archive);
  } finally {
    archive.close();
  }
}

export async function readManifestFrom(archive: ZipArchive): Promise<ManifestFacts> {
  if (!archive.has(MANIFEST_ENTRY)) {
    throw new AppInputError('APP_MANIFEST_INVALID', 'no AndroidManifest.xml: expected an APK', {
      file: archive.file,
      field: MANIFEST_ENTRY,
    });
  }
  const buf = await archive.read(MANIFEST_ENTRY, MAX_MANIFEST_BYTES);
  const { facts, refs } = parseManifest(buf, archive.file);
  if ((refs.label === undefined && refs.versionName === undefined) || !archive.has(RESOURCES_ENTRY)) return facts;
  try {
    const table = ResourceTable.parse(await archive.read(RESOURCES_ENTRY, MAX_RESOURCES_BYTES));
    const label = refs.label === undefined ? undefined : table.resolveString(refs.label);
    const versionName = refs.versionName === undefined ? undefined : table.resolveString(refs.versionName);
    if (versionName !== undefined) checkVersionName(versionName, archive.file);
    return { ...facts, ...(label !== undefined ? { label } : {}), ...(versionName !== undefined ? { versionName } : {}) };
  } catch (err) {
    if (!(err instanceof AxmlError) && !(err instanceof AppInputError && err.code === 'APP_ENTRY_TOO_LARGE')) throw err;
    // The label is for people; an unreadable table costs it, not the inspection.
    return { ...facts, warnings: [...facts.warnings, `resources.arsc: ${err.message}; label not resolved`] };
  }
}

/** Parses binary manifest bytes; `file` names the APK in errors. */
export function manifestFacts(buf: Buffer, file: string): ManifestFacts {
  return parseManifest(buf, file).facts;
}

interface ResourceRefs {
  label?: number;
  versionName?: number;
}

function parseManifest(buf: Buffer, file: string): { facts: ManifestFacts; refs: ResourceRefs } {
  let root: XmlElement;
  try {
    root = parseAxml(buf);
  } catch (err) {
    if (err instanceof AxmlError) {
      throw new AppInputError('APP_MANIFEST_INVALID', `not valid binary XML: ${err.message}`, {
        file,
        field: MANIFEST_ENTRY,
        cause: err,
      });
    }
    throw err;
  }
  if (root.name !== 'manifest') {
    throw new AppInputError('APP_MANIFEST_INVALID', `root element is <${printable(root.name)}>, expected <manifest>`, {
      file,
      field: MANIFEST_ENTRY,
    });
  }
  return interpret(root, file);
}

function checkVersionName(versionName: string, file: string): void {
  // eslint-disable-next-line no-control-regex
  if (versionName.length > MAX_VERSION_NAME || /[\u0000-\u001f\u007f]/.test(versionName)) {
    throw new AppInputError(
      'APP_MANIFEST_VALUE',
      `"${printable(versionName)}" is not a printable version (at most ${MAX_VERSION_NAME} characters)`,
      { file, field: `${MANIFEST_ENTRY}: manifest@android:versionName` },
    );
  }
}

function refId(v: AttrValue | undefined): number | undefined {
  return v?.type === 'ref' ? v.id : undefined;
}

function interpret(root: XmlElement, file: string): { facts: ManifestFacts; refs: ResourceRefs } {
  const warnings: string[] = [];
  const fail = (field: string, message: string) =>
    new AppInputError('APP_MANIFEST_VALUE', message, { file, field: `${MANIFEST_ENTRY}: ${field}` });

  const packageName = asString(plainAttr(root, 'package')) ?? '';
  if (!isValidPackageName(packageName)) {
    throw fail('manifest@package', `"${printable(packageName)}" is not a valid package name (expected dot-separated Java identifiers)`);
  }
  const versionName = asString(androidAttr(root, 'versionName'));
  if (versionName !== undefined) checkVersionName(versionName, file);
  const versionCode = asInt(androidAttr(root, 'versionCode'));
  const splitName = asString(plainAttr(root, 'split'));
  if (splitName !== undefined && !SPLIT_NAME_RE.test(splitName)) {
    throw fail('manifest@split', `"${printable(splitName)}" is not a valid split name`);
  }

  const usesSdk = root.children.find((c) => c.name === 'uses-sdk');
  // PackageParser: minSdkVersion defaults to 1 and targetSdkVersion to minSdkVersion.
  const minSdk = asInt(usesSdk && androidAttr(usesSdk, 'minSdkVersion')) ?? 1;
  const targetSdk = asInt(usesSdk && androidAttr(usesSdk, 'targetSdkVersion')) ?? minSdk;
  const compileSdk = asInt(androidAttr(root, 'compileSdkVersion'));

  const permissions: RequestedPermission[] = [];
  const seen = new Set<string>();
  for (const el of root.children) {
    if (el.name !== 'uses-permission' && el.name !== 'uses-permission-sdk-23' && el.name !== 'uses-permission-sdk-m') continue;
    const name = asString(androidAttr(el, 'name'));
    if (name === undefined) continue;
    if (!PERMISSION_NAME_RE.test(name)) {
      warnings.push(`ignored uses-permission "${printable(name)}": not a valid permission name`);
      continue;
    }
    if (seen.has(name)) continue;
    seen.add(name);
    const danger = dangerousPermission(name);
    const maxSdkVersion = asInt(androidAttr(el, 'maxSdkVersion'));
    permissions.push({
      name,
      ...(maxSdkVersion !== undefined ? { maxSdkVersion } : {}),
      dangerous: danger !== undefined,
      ...(danger ? { group: danger.group } : {}),
    });
  }

  const instrumentations = root.children
    .filter((c) => c.name === 'instrumentation')
    .map((c) => ({
      name: resolveClass(packageName, asString(androidAttr(c, 'name')) ?? ''),
      targetPackage: asString(androidAttr(c, 'targetPackage')) ?? packageName,
    }))
    .filter((i) => CLASS_NAME_RE.test(i.name) && isValidPackageName(i.targetPackage));

  const app = root.children.find((c) => c.name === 'application');
  const components: ComponentFacts[] = [];
  let applicationClass: string | undefined;
  let launcherActivity: string | undefined;
  if (app) {
    const cls = asString(androidAttr(app, 'name'));
    if (cls !== undefined) {
      applicationClass = resolveClass(packageName, cls);
      if (!CLASS_NAME_RE.test(applicationClass)) throw fail('application@android:name', `"${printable(cls)}" is not a valid class name`);
    }
    for (const el of app.children) {
      const kind = componentKind(el.name);
      if (!kind) continue;
      const raw = asString(androidAttr(el, 'name'));
      if (raw === undefined) continue;
      const name = resolveClass(packageName, raw);
      if (!CLASS_NAME_RE.test(name)) throw fail(`${el.name}@android:name`, `"${printable(raw)}" is not a valid class name`);
      const component = componentFacts(kind, name, el, packageName, minSdk, targetSdk);
      if (component.exportedSource === 'implied-by-intent-filter' && targetSdk >= 31) {
        warnings.push(`${kind} ${name} has an intent filter but no android:exported: Android 12+ refuses to install it (targetSdk ${targetSdk})`);
      }
      components.push(component);
      if (!launcherActivity && (kind === 'activity' || kind === 'activity-alias') && component.enabled && isLauncher(el)) {
        launcherActivity = name;
      }
    }
  }

  const usesCleartextTraffic = app ? asBool(androidAttr(app, 'usesCleartextTraffic')) : undefined;
  const label = app ? asString(androidAttr(app, 'label')) : undefined;
  const labelRef = app ? refId(androidAttr(app, 'label')) : undefined;
  const versionNameRef = refId(androidAttr(root, 'versionName'));
  const refs: ResourceRefs = {
    ...(labelRef !== undefined ? { label: labelRef } : {}),
    ...(versionNameRef !== undefined ? { versionName: versionNameRef } : {}),
  };
  const facts: ManifestFacts = {
    packageName,
    ...(versionCode !== undefined ? { versionCode } : {}),
    ...(versionName !== undefined ? { versionName } : {}),
    ...(splitName !== undefined ? { splitName } : {}),
    minSdk,
    targetSdk,
    ...(compileSdk !== undefined ? { compileSdk } : {}),
    permissions,
    components,
    instrumentations,
    ...(applicationClass ? { applicationClass } : {}),
    ...(launcherActivity ? { launcherActivity } : {}),
    ...(label !== undefined ? { label } : {}),
    debuggable: (app && asBool(androidAttr(app, 'debuggable'))) ?? false,
    allowBackup: (app && asBool(androidAttr(app, 'allowBackup'))) ?? true,
    ...(usesCleartextTraffic !== undefined ? { usesCleartextTraffic } : {}),
    // Android 9 (API 28) made cleartext opt-in for apps targeting it.
    cleartextPermitted: usesCleartextTraffic ?? targetSdk < 28,
    networkSecurityConfig: app ? androidAttr(app, 'networkSecurityConfig') !== undefined : false,
    warnings,
  };
  return { facts, refs };
}

function componentKind(tag: string): ComponentKind | undefined {
  switch (tag) {
    case 'activity':
    case 'activity-alias':
    case 'service':
    case 'receiver':
    case 'provider':
      return tag;
    default:
      return undefined;
  }
}

function componentFacts(
  kind: ComponentKind,
  name: string,
  el: XmlElement,
  packageName: string,
  minSdk: number,
  targetSdk: number,
): ComponentFacts {
  const intentFilters = el.children.filter((c) => c.name === 'intent-filter').length;
  const explicit = asBool(androidAttr(el, 'exported'));
  let exported: boolean;
  let exportedSource: ComponentFacts['exportedSource'];
  if (explicit !== undefined) {
    exported = explicit;
    exportedSource = 'explicit';
  } else if (kind === 'provider') {
    // Providers were exported by default up to API 16 (ContentProvider docs, android:exported).
    exported = minSdk <= 16 || targetSdk <= 16;
    exportedSource = 'default';
  } else if (intentFilters > 0) {
    // Before API 31 an intent filter implied exported="true"; from 31 the install fails
    // without an explicit value, so an implied value only exists for older targets.
    exported = true;
    exportedSource = 'implied-by-intent-filter';
  } else {
    exported = false;
    exportedSource = 'default';
  }
  const permission = asString(androidAttr(el, 'permission'));
  const target = asString(androidAttr(el, 'targetActivity'));
  return {
    kind,
    name,
    exported,
    exportedSource,
    intentFilters,
    ...(permission !== undefined ? { permission } : {}),
    enabled: asBool(androidAttr(el, 'enabled')) ?? true,
    ...(target !== undefined ? { targetActivity: resolveClass(packageName, target) } : {}),
  };
}

function isLauncher(el: XmlElement): boolean {
  return el.children.some(
    (f) =>
      f.name === 'intent-filter' &&
      f.children.some((c) => c.name === 'action' && asString(androidAttr(c, 'name')) === INTENT_MAIN) &&
      f.children.some((c) => c.name === 'category' && asString(androidAttr(c, 'name')) === CATEGORY_LAUNCHER),
  );
}

/** ".Main" and "Main" are relative to the package (PackageParser.buildClassName). */
export function resolveClass(packageName: string, name: string): string {
  if (name.startsWith('.')) return packageName + name;
  if (!name.includes('.')) return `${packageName}.${name}`;
  return name;
}

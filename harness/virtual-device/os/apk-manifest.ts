import { createRequire } from 'node:module';
import { z } from 'zod';

/**
 * What the package manager needs from an APK's AndroidManifest.xml, read with
 * @devicefarmer/adbkit-apkreader (untyped CommonJS, so its result is validated with zod here).
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
}

const named = z.object({ name: z.string() }).loose();
const manifestSchema = z
  .object({
    package: z.string(),
    versionCode: z.union([z.number(), z.string()]).optional(),
    versionName: z.union([z.string(), z.number()]).optional(),
    split: z.string().optional(),
    usesSdk: z.object({ minSdkVersion: z.number().optional(), targetSdkVersion: z.number().optional() }).loose().nullish(),
    usesPermissions: z.array(named).default([]),
    instrumentation: z.union([z.object({ name: z.string(), targetPackage: z.string().optional() }).loose(), z.null()]).optional(),
    application: z
      .object({
        activities: z
          .array(
            z
              .object({
                name: z.string(),
                intentFilters: z
                  .array(z.object({ actions: z.array(named).default([]), categories: z.array(named).default([]) }).loose())
                  .default([]),
              })
              .loose(),
          )
          .default([]),
        activityAliases: z.array(z.object({ name: z.string() }).loose()).default([]),
      })
      .loose()
      .optional(),
  })
  .loose();

interface ApkReaderModule {
  open(apk: Buffer | string): Promise<{ readManifest(): Promise<unknown> }>;
}

let reader: ApkReaderModule | undefined;
function apkReader(): ApkReaderModule {
  reader ??= createRequire(import.meta.url)('@devicefarmer/adbkit-apkreader') as ApkReaderModule;
  return reader;
}

function qualify(pkg: string, name: string): string {
  if (name.startsWith('.')) return pkg + name;
  return name.includes('.') ? name : `${pkg}.${name}`;
}

export async function readApkInfo(apk: Buffer): Promise<ApkInfo> {
  const raw = await (await apkReader().open(apk)).readManifest();
  const m = manifestSchema.parse(raw);
  const activities = m.application?.activities ?? [];
  const launcher = activities.find((a) =>
    a.intentFilters.some(
      (f) => f.actions.some((x) => x.name === 'android.intent.action.MAIN') && f.categories.some((c) => c.name === 'android.intent.category.LAUNCHER'),
    ),
  );
  return {
    packageName: m.package,
    versionCode: Number(m.versionCode ?? 0) || 0,
    versionName: m.versionName === undefined ? '' : String(m.versionName),
    minSdk: m.usesSdk?.minSdkVersion,
    targetSdk: m.usesSdk?.targetSdkVersion,
    permissions: [...new Set(m.usesPermissions.map((p) => p.name))],
    activities: activities.map((a) => qualify(m.package, a.name)),
    launchActivity: launcher ? qualify(m.package, launcher.name) : undefined,
    instrumentations: m.instrumentation
      ? [{ name: qualify(m.package, m.instrumentation.name), targetPackage: m.instrumentation.targetPackage ?? m.package }]
      : [],
    split: m.split,
  };
}

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import { parseValidated } from '../../product/core/validated-file.js';
import type { TestApkSpec } from '../../product/evidence/apps/test-support/apk-builder.js';

/**
 * Turns a virtual-device app model (`*.model.yaml`) into an APK spec: its `manifest:` section
 * becomes AndroidManifest.xml, each of its `sdks:` becomes a stub class in the SDK's Java
 * package (so static SDK detection finds it as it would in a real app), and the model file
 * itself is embedded as assets/consentry-model.yaml for the virtual device's app runtime.
 *
 * Only the parts the APK needs are checked here; the virtual device validates the whole model
 * with its own schema when it reads the APK, and the sample apps' test checks their SDK ids
 * against the product's SDK catalogue.
 */
export const MODEL_ASSET = 'consentry-model.yaml';

const JavaName = z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/, 'expected a fully qualified Java name');

const ModelForApk = z.looseObject({
  manifest: z.looseObject({
    package: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'expected an Android package name'),
    versionName: z.string().min(1).max(100),
    versionCode: z.number().int().positive(),
    label: z.string().min(1).max(200),
    minSdk: z.number().int().optional(),
    targetSdk: z.number().int().optional(),
    application: JavaName.optional(),
    permissions: z.array(z.string()).default([]),
    activities: z
      .array(z.looseObject({ name: JavaName, launcher: z.boolean().optional(), exported: z.boolean().optional() }))
      .min(1),
  }),
  sdks: z.array(z.looseObject({ id: z.string(), package: JavaName, entryClass: JavaName.optional() })).default([]),
});

/** The APK file name for a model file: `umeng-demo.model.yaml` → `umeng-demo.apk`. */
export function apkNameForModel(modelFile: string): string {
  return `${basename(modelFile).replace(/\.model\.ya?ml$/, '')}.apk`;
}

export function specFromModelText(text: string, file: string): TestApkSpec {
  const model = parseValidated(text, file, ModelForApk, 'app model');
  const m = model.manifest;
  return {
    packageName: m.package,
    versionCode: m.versionCode,
    versionName: m.versionName,
    label: m.label,
    minSdk: m.minSdk ?? 24,
    targetSdk: m.targetSdk ?? 33,
    permissions: m.permissions,
    ...(m.application ? { applicationClass: m.application } : {}),
    components: m.activities.map((a) => ({
      kind: 'activity' as const,
      name: a.name,
      launcher: a.launcher ?? false,
      // From API 31 a component with an intent filter must say exported; the launcher must be.
      ...(a.exported !== undefined ? { exported: a.exported } : a.launcher ? { exported: true } : {}),
    })),
    classes: model.sdks.map((s) => s.entryClass ?? `${s.package}.Sdk`),
    assets: { [MODEL_ASSET]: text },
  };
}

export async function specFromModelFile(file: string): Promise<TestApkSpec> {
  return specFromModelText(await readFile(file, 'utf8'), file);
}

import { z } from 'zod';
import { DataTypeId } from '../../../product/contracts/data-types.js';

/**
 * The app behaviour model: what a virtual app looks like (manifest, screens) and what it does
 * (behaviours). One YAML file per app; the APK builder embeds it as
 * `assets/consentry-model.yaml`, which is how the app runtime finds the model of an installed
 * APK. Sample models are ground truth for the analysis stages, so each states the findings it
 * must produce per scenario.
 */
export const MODEL_SCHEMA_VERSION = 1;
export const MODEL_ASSET_PATH = 'assets/consentry-model.yaml';

const JavaName = z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/, 'expected a fully qualified Java name');
const PackageName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'expected an Android package name (a.b.c)')
  .max(255);
const Permission = z.string().regex(/^[A-Za-z_][\w.]*\.[A-Z_][A-Z0-9_]*$/, 'expected a permission such as android.permission.CAMERA');
/** A reference to a screen element: its resource-id as written in the model (short or full). */
const ElementRef = z.string().min(1).max(200);
const ScreenId = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'expected a screen id in lower-kebab-case');
/** `app` is the app's own code; anything else is an SDK id from the model's `sdks`. */
const Caller = z.string().regex(/^[a-z0-9-]+$/, 'expected "app" or an SDK id');

export const Activity = z
  .object({
    name: JavaName,
    launcher: z.boolean().default(false),
    exported: z.boolean().optional(),
  })
  .strict();

export const Manifest = z
  .object({
    package: PackageName,
    versionName: z.string().min(1).max(100),
    versionCode: z.number().int().positive(),
    label: z.string().min(1).max(200),
    minSdk: z.number().int().min(21).max(40).default(24),
    targetSdk: z.number().int().min(21).max(40).default(33),
    application: JavaName.optional(),
    permissions: z.array(Permission).default([]),
    activities: z.array(Activity).min(1),
  })
  .strict()
  .refine((m) => m.activities.filter((a) => a.launcher).length <= 1, {
    message: 'at most one activity may be the launcher',
    path: ['activities'],
  });
export type Manifest = z.infer<typeof Manifest>;

export const ModelSdk = z
  .object({
    /** Id in product/evidence/catalogue/sdks.yaml. */
    id: z.string().regex(/^[a-z0-9-]+$/),
    /** The Java package its code lives in inside this app (stack frames are built from it). */
    package: JavaName,
    /** Entry class the app calls (UMConfigure, TTAdSdk...); defaults to `<package>.Sdk`. */
    entryClass: JavaName.optional(),
  })
  .strict();
export type ModelSdk = z.infer<typeof ModelSdk>;

type UiElementInput = {
  class?: string | undefined;
  id?: string | undefined;
  text?: string | undefined;
  contentDesc?: string | undefined;
  bounds?: [number, number, number, number] | undefined;
  clickable?: boolean | undefined;
  checkable?: boolean | undefined;
  checked?: boolean | undefined;
  editable?: boolean | undefined;
  password?: boolean | undefined;
  scrollable?: boolean | undefined;
  enabled?: boolean | undefined;
  children?: UiElementInput[] | undefined;
};

export interface UiElement {
  class: string;
  id?: string | undefined;
  text: string;
  contentDesc: string;
  /** [x1, y1, x2, y2] in screen pixels; absent: laid out by the runtime. */
  bounds?: [number, number, number, number] | undefined;
  clickable: boolean;
  checkable: boolean;
  checked: boolean;
  editable: boolean;
  password: boolean;
  scrollable: boolean;
  enabled: boolean;
  children: UiElement[];
}

const Bounds = z
  .tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()])
  .refine(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1, { message: 'expected [x1, y1, x2, y2] with x2 > x1 and y2 > y1' });

export const UiElement: z.ZodType<UiElement, UiElementInput> = z.lazy(() =>
  z
    .object({
      class: JavaName.default('android.widget.TextView'),
      /** Resource id: `btn_agree` (becomes `<package>:id/btn_agree`) or a full `pkg:id/name`. */
      id: z.string().regex(/^([A-Za-z][\w.]*:id\/)?[A-Za-z_][\w]*$/, 'expected a resource id such as btn_agree').optional(),
      text: z.string().max(20_000).default(''),
      contentDesc: z.string().max(2_000).default(''),
      bounds: Bounds.optional(),
      clickable: z.boolean().default(false),
      checkable: z.boolean().default(false),
      checked: z.boolean().default(false),
      editable: z.boolean().default(false),
      password: z.boolean().default(false),
      scrollable: z.boolean().default(false),
      enabled: z.boolean().default(true),
      children: z.array(UiElement).default([]),
    })
    .strict(),
);

export const ScreenKind = z.enum([
  'splash',
  'privacy-dialog',
  'confirm-dialog',
  'main',
  'purpose',
  'policy',
  'ad-popup',
  'settings',
  'other',
]);
export type ScreenKind = z.infer<typeof ScreenKind>;

/** Hashing/encoding filters usable in templates: `{{device-id|md5}}`. */
export const TEMPLATE_FILTERS = ['md5', 'sha1', 'sha256', 'base64', 'base64url', 'hex', 'urlencode', 'upper', 'lower', 'nocolons'] as const;

export const HttpRequestSpec = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
    /** Template: placeholders such as {{android-id}}, {{device-id|md5}}, {{location.latitude}}. */
    url: z.string().regex(/^https?:\/\/[^\s/]+/, 'expected an http(s) URL'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().max(100_000).optional(),
    /** Applied to the whole rendered body (after the per-placeholder filters). */
    encode: z.enum(['base64', 'hex', 'urlencode']).optional(),
    gzip: z.boolean().default(false),
    by: Caller.default('app'),
  })
  .strict();
export type HttpRequestSpec = z.infer<typeof HttpRequestSpec>;

const CallAction = z
  .object({
    call: DataTypeId,
    by: Caller.default('app'),
    /** "Class.method" from the API table to pick a specific API; default: the usual one. */
    api: z.string().optional(),
    times: z.number().int().min(1).max(1000).default(1),
  })
  .strict();

export const Action = z.union([
  CallAction,
  z.object({ send: HttpRequestSpec }).strict(),
  z.object({ download: z.object({ url: z.string().regex(/^https?:\/\//), by: Caller.default('app') }).strict() }).strict(),
  z.object({ requestPermissions: z.array(Permission).min(1), by: Caller.default('app') }).strict(),
  z.object({ show: ScreenId }).strict(),
  /** Closes the top screen (an ad's close button, a dialog's cancel). */
  z.object({ dismiss: z.literal(true) }).strict(),
  z.object({ consent: z.enum(['accepted', 'refused']) }).strict(),
  z.object({ exit: z.literal(true) }).strict(),
  z.object({ startPackage: PackageName }).strict(),
  z.object({ registerSensor: z.enum(['accelerometer', 'gyroscope']), by: Caller.default('app') }).strict(),
  /** Native side channel: libc open of a file such as /sys/class/net/wlan0/address. */
  z.object({ nativeOpen: z.string().regex(/^\//), by: Caller.default('app') }).strict(),
  z.object({ wait: z.number().min(0).max(60) }).strict(),
  z.object({ log: z.string().max(4000), tag: z.string().max(100).optional() }).strict(),
]);
export type Action = z.infer<typeof Action>;

export const Trigger = z.union([
  z.enum(['launch', 'consent-accepted', 'consent-refused', 'relaunch-after-refusal', 'relaunch-after-denial', 'foreground', 'background']),
  z.object({ permissionGranted: Permission }).strict(),
  z.object({ permissionDenied: Permission }).strict(),
  z.object({ screenShown: ScreenId }).strict(),
  z.object({ tap: ElementRef }).strict(),
  z
    .object({
      every: z.number().min(0.05).max(86_400),
      while: z.enum(['foreground', 'background', 'any']).default('any'),
    })
    .strict(),
]);
export type Trigger = z.infer<typeof Trigger>;

export const Condition = z
  .object({
    consent: z.enum(['pending', 'accepted', 'refused']).optional(),
    granted: Permission.optional(),
    notGranted: Permission.optional(),
    denied: Permission.optional(),
    firstLaunch: z.boolean().optional(),
  })
  .strict();
export type Condition = z.infer<typeof Condition>;

export const Behaviour = z
  .object({
    on: Trigger,
    when: Condition.optional(),
    /** Java thread the actions run on (shows in hook events). */
    thread: z.string().max(100).optional(),
    do: z.array(Action).min(1),
  })
  .strict();
export type Behaviour = z.infer<typeof Behaviour>;

export const Screen = z
  .object({
    id: ScreenId,
    kind: ScreenKind,
    /** Activity that hosts the screen; default: the launcher activity. */
    activity: JavaName.optional(),
    /** Dialogs and pop-ups are drawn over a dimmed full screen. */
    root: UiElement,
    /** What BACK does here: default pops the screen (or leaves the app from the last one). */
    onBack: z.union([z.literal('ignore'), z.array(Action)]).optional(),
  })
  .strict();
export type Screen = z.infer<typeof Screen>;

export const RULE_IDS = [
  'CONSENT-NO-DIALOG',
  'POLICY-UNREACHABLE',
  'CONSENT-PRE-COLLECT',
  'CONSENT-PRE-PERMISSION',
  'CONSENT-IMPLICIT',
  'CONSENT-AFTER-REFUSAL',
  'PERM-REPROMPT',
  'PERM-FORCED',
  'PERM-BUNDLED',
  'PERM-NO-PURPOSE',
  'PERM-BYPASS',
  'SCOPE-UNDECLARED-DATA',
  'SCOPE-UNDECLARED-SDK',
  'SCOPE-UNDECLARED-RECIPIENT',
  'SCOPE-FREQUENCY',
  'SCOPE-BACKGROUND',
  'DOUBLE-LIST-MISSING',
  'TRANSPORT-CLEARTEXT',
  'START-SELF',
  'UI-UNCLOSABLE-POPUP',
  'UI-SHAKE-JUMP',
  'DOWNLOAD-DECEPTIVE',
  'INTEGRITY-REPACKAGED',
  'KIDS-IDENTIFIERS',
] as const;
export const RuleId = z.enum(RULE_IDS);

export const SCENARIO_IDS = [
  'pre-consent-idle',
  'refuse-consent',
  'accept-consent',
  'accept-deny-permissions',
  'accept-grant-permissions',
  'deny-then-relaunch',
  'standard',
] as const;
export const ScenarioId = z.enum(SCENARIO_IDS);

export const Policy = z
  .object({
    language: z.enum(['zh', 'en']),
    /** The privacy policy as the app shows it (the policy stage parses this text). */
    text: z.string().min(1).max(200_000),
    /** Machine-readable declarations, when the app publishes its double list. */
    declared: z
      .object({
        dataTypes: z.array(DataTypeId).default([]),
        sdks: z.array(z.string().regex(/^[a-z0-9-]+$/)).default([]),
        recipients: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

export const NetworkConfig = z
  .object({
    /** Certificate pins (OkHttp style: SHA-256 of the SPKI, base64) per host. */
    pins: z
      .array(
        z
          .object({
            host: z.string().min(1),
            sha256: z.array(z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'expected a base64 SHA-256 (44 chars)')).min(1),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export const AppModel = z
  .object({
    schemaVersion: z.literal(MODEL_SCHEMA_VERSION),
    description: z.string().max(4000).optional(),
    manifest: Manifest,
    sdks: z.array(ModelSdk).default([]),
    policy: Policy.optional(),
    network: NetworkConfig.default({ pins: [] }),
    /** The screen shown when the launcher activity starts; default: the first screen. */
    startScreen: ScreenId.optional(),
    screens: z.array(Screen).min(1),
    behaviours: z.array(Behaviour).default([]),
    expectedFindings: z.partialRecord(ScenarioId, z.array(RuleId)).default({}),
  })
  .strict();
export type AppModel = z.infer<typeof AppModel>;
export type AppModelInput = z.input<typeof AppModel>;

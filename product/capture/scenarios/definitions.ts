import { z } from 'zod';
import { Selector, SELECTOR_KEYS } from './selector.js';

/**
 * The scenario vocabulary: plain, serialisable step definitions validated before any device
 * work (in the spirit of the UiAutomator2 driver's execute-method map). A YAML step is either a
 * bare name (`- back`) or a one-key map (`- consent: refuse`, `- tap: { id: agree }`); both are
 * normalised here into `{ kind, ...params }`. The handlers that play them live in steps/.
 */

export const CONSENT_ACTIONS = ['accept', 'refuse'] as const;
export const PERMISSION_ACTIONS = ['allow', 'allow-once', 'allow-foreground', 'deny', 'deny-always'] as const;
export type ConsentAction = (typeof CONSENT_ACTIONS)[number];
export type PermissionAction = (typeof PERMISSION_ACTIONS)[number];

const Seconds = z.number().positive().max(86_400);
const LaunchVia = z.enum(['monkey', 'am']);

/** Selector fields inlined into a step (`tap: { id: agree }`), exactly one of them. */
const selectorShape = {
  id: z.string().min(1).optional(),
  text: z.string().min(1).optional(),
  textContains: z.string().min(1).optional(),
  xpath: z.string().min(1).optional(),
  accessibilityId: z.string().min(1).optional(),
};
function exactlyOneSelector(value: Record<string, unknown>): boolean {
  return SELECTOR_KEYS.filter((k) => value[k] !== undefined).length === 1;
}
const oneSelectorMessage = { message: `expected exactly one selector: ${SELECTOR_KEYS.join(', ')}` };
function pickSelector(value: Record<string, unknown>): Selector {
  const out: Record<string, unknown> = {};
  for (const k of SELECTOR_KEYS) if (value[k] !== undefined) out[k] = value[k];
  return out as Selector;
}

const emptyToObject = (v: unknown) => (v === null || v === undefined || v === true ? {} : v);
const bareToObject = (key: string) => (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? { [key]: v } : emptyToObject(v));

const LaunchParams = z.preprocess(
  emptyToObject,
  z.strictObject({
    via: LaunchVia.default('monkey'),
    /** Activity for `via: am` (default: the app's launcher activity). */
    activity: z.string().min(1).optional(),
    /** Settle time after the start command returns, before the snapshot. */
    settle: Seconds.default(2),
  }),
);
const ObserveParams = z.preprocess(
  bareToObject('seconds'),
  z.strictObject({
    seconds: Seconds,
    /** Look for permission prompts and consent dialogs while waiting (markers only; nothing is tapped). */
    watch: z.boolean().default(true),
  }),
);
const ConsentParams = z.preprocess(
  bareToObject('action'),
  z.strictObject({
    action: z.enum(CONSENT_ACTIONS),
    /** Per-app overrides when the heuristics cannot find the right control. */
    accept: Selector.optional(),
    refuse: Selector.optional(),
    /** The "refuse anyway" button of a secondary confirmation dialog. */
    confirm: Selector.optional(),
    /** A consent checkbox that must be ticked before accepting. */
    checkbox: Selector.optional(),
    timeout: Seconds.default(15),
  }),
);
const PermissionParams = z.preprocess(
  bareToObject('action'),
  z.strictObject({
    action: z.enum(PERMISSION_ACTIONS),
    /** A permission (`android.permission.CAMERA`) or group (`camera`); default: the next prompt. */
    permission: z.string().min(1).optional(),
    /** Answer every prompt that appears until none comes within `timeout`. */
    all: z.boolean().default(false),
    /** No prompt is not a failure. */
    optional: z.boolean().default(false),
    /** How to answer prompts for other permissions while waiting for a named one. */
    others: z.enum(PERMISSION_ACTIONS).default('deny'),
    timeout: Seconds.default(10),
  }),
);
const TapParams = z
  .strictObject({ ...selectorShape, timeout: Seconds.default(5), optional: z.boolean().default(false) })
  .refine(exactlyOneSelector, oneSelectorMessage);
const TypeParams = z
  .strictObject({ ...selectorShape, value: z.string(), timeout: Seconds.default(5) })
  .refine(exactlyOneSelector, oneSelectorMessage);
const ScrollParams = z.preprocess(
  bareToObject('direction'),
  z.strictObject({ direction: z.enum(['up', 'down', 'left', 'right']).default('down'), times: z.number().int().min(1).max(50).default(1) }),
);
const DismissPopupsParams = z.preprocess(
  bareToObject('timeout'),
  z.strictObject({
    /** How long to wait for a first pop-up (scaled with the run's speed: it may never come). */
    timeout: Seconds.default(5),
    /** Pop-ups to handle one after another (a launch ad, then a coupon dialog...). */
    max: z.number().int().min(1).max(10).default(3),
  }),
);
const FindPolicyParams = z.preprocess(
  bareToObject('maxTaps'),
  z.strictObject({
    /** How deep to search from the main screen (RD 一.3 allows four taps). */
    maxTaps: z.number().int().min(1).max(12).default(4),
  }),
);
const NoParams = z.preprocess(emptyToObject, z.strictObject({}));
const BackgroundParams = NoParams;
const ForegroundParams = z.preprocess(emptyToObject, z.strictObject({ settle: Seconds.default(2) }));
const ExpectParams = z
  .strictObject({
    ...selectorShape,
    activity: z.string().min(1).optional(),
    package: z.string().min(1).optional(),
    consentDialog: z.literal(true).optional(),
    permissionPrompt: z.literal(true).optional(),
    absent: z.boolean().default(false),
    timeout: Seconds.default(5),
  })
  .refine(
    (v) =>
      SELECTOR_KEYS.filter((k) => v[k] !== undefined).length +
        ['activity', 'package', 'consentDialog', 'permissionPrompt'].filter((k) => v[k as keyof typeof v] !== undefined).length ===
      1,
    { message: `expected exactly one of ${[...SELECTOR_KEYS, 'activity', 'package', 'consentDialog', 'permissionPrompt'].join(', ')}` },
  );

/** The normalised steps the runner plays. */
export type Step =
  | { kind: 'launch'; via: 'monkey' | 'am'; activity?: string; settle: number }
  | { kind: 'relaunch'; via: 'monkey' | 'am'; activity?: string; settle: number }
  | { kind: 'observe'; seconds: number; watch: boolean }
  | { kind: 'consent'; action: ConsentAction; accept?: Selector; refuse?: Selector; confirm?: Selector; checkbox?: Selector; timeout: number }
  | {
      kind: 'permission';
      action: PermissionAction;
      permission?: string;
      all: boolean;
      optional: boolean;
      others: PermissionAction;
      timeout: number;
    }
  | { kind: 'dismiss-popups'; timeout: number; max: number }
  | { kind: 'find-policy'; maxTaps: number }
  | { kind: 'tap'; selector: Selector; timeout: number; optional: boolean }
  | { kind: 'type'; selector: Selector; value: string; timeout: number }
  | { kind: 'scroll'; direction: 'up' | 'down' | 'left' | 'right'; times: number }
  | { kind: 'back' }
  | { kind: 'home' }
  | { kind: 'background' }
  | { kind: 'foreground'; settle: number }
  | { kind: 'kill' }
  | { kind: 'reset-data' }
  | { kind: 'reinstall' }
  | {
      kind: 'expect';
      target:
        | { element: Selector }
        | { activity: string }
        | { package: string }
        | { consentDialog: true }
        | { permissionPrompt: true };
      absent: boolean;
      timeout: number;
    }
  | { kind: 'repeat'; times: number; steps: Step[] }
  | { kind: 'part'; name: string; include?: string; steps: Step[] };

export type StepKind = Step['kind'];

export const STEP_KINDS = [
  'launch',
  'relaunch',
  'observe',
  'consent',
  'permission',
  'dismiss-popups',
  'find-policy',
  'tap',
  'type',
  'scroll',
  'back',
  'home',
  'background',
  'foreground',
  'kill',
  'reset-data',
  'reinstall',
  'expect',
  'repeat',
  'part',
] as const satisfies readonly StepKind[];

const BARE_KINDS = new Set(['launch', 'relaunch', 'dismiss-popups', 'find-policy', 'back', 'home', 'background', 'foreground', 'kill', 'reset-data', 'reinstall']);

/** One step as written in YAML; recursive through `repeat` and `part`. */
export const StepSchema: z.ZodType<Step> = z.lazy(() =>
  z.preprocess(
    (v) => (typeof v === 'string' && BARE_KINDS.has(v) ? { [v]: {} } : v),
    z
      .strictObject({
        launch: LaunchParams.optional(),
        relaunch: LaunchParams.optional(),
        observe: ObserveParams.optional(),
        consent: ConsentParams.optional(),
        permission: PermissionParams.optional(),
        'dismiss-popups': DismissPopupsParams.optional(),
        'find-policy': FindPolicyParams.optional(),
        tap: TapParams.optional(),
        type: TypeParams.optional(),
        scroll: ScrollParams.optional(),
        back: NoParams.optional(),
        home: NoParams.optional(),
        background: BackgroundParams.optional(),
        foreground: ForegroundParams.optional(),
        kill: NoParams.optional(),
        'reset-data': NoParams.optional(),
        reinstall: NoParams.optional(),
        expect: ExpectParams.optional(),
        repeat: z.strictObject({ times: z.number().int().min(1).max(100), steps: z.array(StepSchema).min(1) }).optional(),
        part: z
          .strictObject({
            name: z.string().min(1).max(100),
            /** Another scenario's id whose steps form this part. */
            include: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a scenario id (kebab-case)').optional(),
            steps: z.array(StepSchema).min(1).optional(),
          })
          .refine((p) => (p.include === undefined) !== (p.steps === undefined), { message: 'expected exactly one of include, steps' })
          .optional(),
      }, {
        error: (issue) =>
          issue.code === 'unrecognized_keys'
            ? `unknown step ${issue.keys.map((k) => `"${k}"`).join(', ')}; expected one of: ${STEP_KINDS.join(', ')}`
            : undefined,
      })
      .refine((o) => Object.keys(o).length === 1, {
        message: `expected one step per list item, one of: ${STEP_KINDS.join(', ')}`,
      })
      .transform((o): Step => normalise(o as Record<string, Record<string, unknown>>)),
  ),
);

function normalise(o: Record<string, Record<string, unknown>>): Step {
  const [key, p] = Object.entries(o)[0] as [StepKind, Record<string, unknown>];
  switch (key) {
    case 'tap':
      return { kind: 'tap', selector: pickSelector(p), timeout: p.timeout as number, optional: p.optional as boolean };
    case 'type':
      return { kind: 'type', selector: pickSelector(p), value: p.value as string, timeout: p.timeout as number };
    case 'expect': {
      const common = { absent: p.absent as boolean, timeout: p.timeout as number };
      if (p.activity !== undefined) return { kind: 'expect', target: { activity: p.activity as string }, ...common };
      if (p.package !== undefined) return { kind: 'expect', target: { package: p.package as string }, ...common };
      if (p.consentDialog) return { kind: 'expect', target: { consentDialog: true }, ...common };
      if (p.permissionPrompt) return { kind: 'expect', target: { permissionPrompt: true }, ...common };
      return { kind: 'expect', target: { element: pickSelector(p) }, ...common };
    }
    case 'part':
      return { kind: 'part', name: p.name as string, ...(p.include ? { include: p.include as string } : {}), steps: (p.steps as Step[] | undefined) ?? [] };
    default:
      return { kind: key, ...p } as Step;
  }
}

export const ScenarioSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a kebab-case id'),
  description: z.string().min(1).max(500),
  steps: z.array(StepSchema).min(1),
});

export interface Scenario {
  id: string;
  description: string;
  steps: Step[];
  /** The file it was read from (absent for scenarios built in code). */
  file?: string;
  /** SHA-256 of the file text, recorded in run.json. */
  sha256?: string;
}

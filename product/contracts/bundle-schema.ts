import { z } from 'zod';
import { DataTypeId } from './data-types.js';

/**
 * The evidence bundle: the contract between capture and analysis. See README.md beside this
 * file for the layout on disk. Every time on the bundle's timeline is epoch milliseconds on the
 * HOST clock; device-side times are converted with the clock offset measured at lease time
 * (`run.json` → device.clockOffsetMs) and the original kept in `tDevice`.
 */
export const BUNDLE_SCHEMA_VERSION = 1;

export const BUNDLE_FILES = {
  run: 'run.json',
  markers: 'markers.jsonl',
  events: 'events.jsonl',
  flows: 'flows.jsonl',
  ui: 'ui.jsonl',
  logcat: 'logcat.txt',
  /** The harness's own structured log of the run (pino JSON lines), for whoever debugs it. */
  logs: 'logs.jsonl',
  findings: 'findings.json',
  staticFacts: 'static.json',
  declarations: 'declarations.json',
  bodies: 'bodies',
  screens: 'screens',
  inputs: 'inputs',
} as const;

const Millis = z.number().finite().nonnegative();
const Id = z.string().min(1).max(200);
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');

export const RunOutcome = z.enum([
  /** Being written; a reader that finds this knows the writer died. */
  'running',
  'complete',
  /** Ctrl-C or SIGTERM: torn down cleanly but not finished. */
  'interrupted',
  /** The run failed (device lost, install rejected...): `outcomeReason` says why. */
  'failed',
]);
export type RunOutcome = z.infer<typeof RunOutcome>;

/** Known device identifiers: what the traffic scanner and rules look for. */
export const DeviceIdentifiers = z.partialRecord(DataTypeId, z.array(z.string().min(1)).max(10_000));
export type DeviceIdentifiers = z.infer<typeof DeviceIdentifiers>;

export const RunMeta = z.object({
  schemaVersion: z.literal(BUNDLE_SCHEMA_VERSION),
  runId: Id,
  app: z.object({
    package: z.string().min(1),
    versionName: z.string().optional(),
    versionCode: z.number().int().optional(),
    label: z.string().optional(),
    apkSha256: Sha256.optional(),
    /** Optional: marks the app as child-directed (KIDS-IDENTIFIERS). */
    childDirected: z.boolean().optional(),
    /** Domains the app's publisher owns (first party), besides those inferred. */
    firstPartyDomains: z.array(z.string()).optional(),
  }),
  device: z.object({
    serial: z.string(),
    profile: z.string(),
    model: z.string().optional(),
    apiLevel: z.number().int().optional(),
    abi: z.string().optional(),
    /** host time - device time, in ms, measured at lease time. */
    clockOffsetMs: z.number().default(0),
  }),
  scenario: z.object({ id: z.string(), sha256: Sha256.optional() }),
  tools: z.record(z.string(), z.string()).default({}),
  /** Rule set the run was configured with (analysis may override). */
  ruleSet: z.string().optional(),
  captureCaSha256: Sha256.optional(),
  identifiers: DeviceIdentifiers.default({}),
  startedAt: Millis,
  endedAt: Millis.optional(),
  outcome: RunOutcome,
  outcomeReason: z.string().optional(),
  /** Phases with their durations, for overhead accounting. */
  phases: z.array(z.object({ name: z.string(), start: Millis, end: Millis.optional() })).default([]),
  /** Coverage facts the verdict needs: did instrumentation run, was TLS intercepted. */
  coverage: z
    .object({
      instrumentation: z.enum(['active', 'unavailable', 'died']).optional(),
      instrumentationNote: z.string().optional(),
      traffic: z.enum(['active', 'unavailable']).optional(),
      tlsFailures: z.number().int().nonnegative().optional(),
      /** A test request from the device through the proxy at preparation: arrived or not (absent: not tried). */
      canary: z.enum(['passed', 'failed']).optional(),
    })
    .default({}),
});
export type RunMeta = z.infer<typeof RunMeta>;

/**
 * Timeline markers. Scenario steps write `step` (with tEnd); the consent and permission
 * detectors, lifecycle hooks and logcat parser write the others.
 */
export const MARKER_KINDS = [
  'step',
  'consent.shown',
  'consent.accepted',
  'consent.refused',
  'consent.not-found',
  'consent.implicit',
  'permission.requested',
  'permission.granted',
  'permission.denied',
  'permission.purpose-shown',
  'app.launch',
  'app.foreground',
  'app.background',
  'app.exit',
  'app.crash',
  'app.install',
  'process.start',
  'package.switch',
  'popup.shown',
  'popup.closed',
  'user.action',
  'download.started',
  'instrumentation.attached',
  'instrumentation.died',
  'note',
] as const;
export const MarkerKind = z.enum(MARKER_KINDS);
export type MarkerKind = z.infer<typeof MarkerKind>;

export const Marker = z.object({
  id: Id,
  t: Millis,
  tEnd: Millis.optional(),
  kind: MarkerKind,
  label: z.string().max(2000),
  /** Index of the scenario step that produced it. */
  step: z.number().int().nonnegative().optional(),
  /** e.g. permission name, activity, package, process name, cause of a process start. */
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  /** UI snapshot id taken at this marker. */
  ui: Id.optional(),
});
export type Marker = z.infer<typeof Marker>;

export const Attribution = z.object({
  party: z.enum(['first', 'sdk', 'system', 'unknown']),
  sdk: z.string().optional(),
  vendor: z.string().optional(),
  /** The stack frame (or host) that decided. */
  basis: z.string().optional(),
});
export type Attribution = z.infer<typeof Attribution>;

export const HookEvent = z.object({
  id: Id,
  t: Millis,
  tDevice: Millis.optional(),
  /** Device monotonic clock, ns, as a decimal string (exceeds 2^53). */
  monotonicNs: z.string().regex(/^\d+$/).optional(),
  dataType: z.union([DataTypeId, z.literal('permission-request'), z.literal('tls-bypass'), z.literal('lifecycle')]),
  /** Fully qualified `class.method`, or `libc!openat` for native hooks. */
  api: z.string().min(1).max(500),
  overload: z.string().max(500).optional(),
  args: z.array(z.string().max(4096)).max(64).default([]),
  ret: z.string().max(16_384).optional(),
  outcome: z.object({ kind: z.enum(['returned', 'threw']), error: z.string().max(1000).optional() }),
  thread: z.string().max(200).optional(),
  stack: z.array(z.string().max(1000)).max(200).default([]),
  pid: z.number().int().optional(),
  process: z.string().max(300).optional(),
  /** For storms: this event stands for `count` calls (sampled). */
  sampled: z.object({ count: z.number().int().positive(), windowMs: z.number().positive() }).optional(),
  /** Host-side attribution from the stack against the SDK catalogue. */
  attribution: Attribution.optional(),
  /** Permission name(s) for permission-request events. */
  permissions: z.array(z.string()).optional(),
});
export type HookEvent = z.infer<typeof HookEvent>;

export const Header = z.tuple([z.string(), z.string()]);

export const Body = z.object({
  /** Content address under bodies/ (decoded bytes). Absent when the body was empty. */
  sha256: Sha256.optional(),
  size: z.number().int().nonnegative(),
  /** Content-Encoding that was removed to store the body. */
  decodedFrom: z.string().optional(),
  truncated: z.boolean().optional(),
  /** Why it could not be decoded (bomb guard, corrupt gzip...). */
  decodeError: z.string().optional(),
});
export type Body = z.infer<typeof Body>;

export const IdentifierHit = z.object({
  dataType: DataTypeId,
  /** plain, lower, upper, no-separators, url, base64, base64url, hex, md5, sha1, sha256, ... */
  form: z.string(),
  /**
   * url, header:<name>, cookie, body, body:json:<path>, ws:<n>; inside encoded payloads, each
   * decoding undone is a `|<step>` before the path in the decoded layer, e.g.
   * `body:json:$.data|base64:json:$.device.imei` or `body|base64|gzip:json:$.ext.oaid`.
   */
  location: z.string(),
  /** The known value that matched (the device's own identifier). */
  value: z.string(),
  /** The exact text found in the flow (the encoded form), for highlighting. */
  match: z.string().optional(),
});
export type IdentifierHit = z.infer<typeof IdentifierHit>;

export const Flow = z.object({
  id: Id,
  t: Millis,
  tEnd: Millis.optional(),
  client: z.object({ ip: z.string(), port: z.number().int() }).optional(),
  server: z.object({ host: z.string(), ip: z.string().optional(), port: z.number().int() }),
  scheme: z.enum(['http', 'https', 'ws', 'wss']),
  tls: z
    .object({
      sni: z.string().optional(),
      alpn: z.string().optional(),
      version: z.string().optional(),
      /** Set when the client refused our certificate (pinning) or the handshake failed. */
      error: z.string().optional(),
    })
    .optional(),
  request: z
    .object({
      method: z.string(),
      url: z.string(),
      httpVersion: z.string().optional(),
      headers: z.array(Header),
      body: Body,
    })
    .optional(),
  response: z
    .object({
      status: z.number().int(),
      reason: z.string().optional(),
      headers: z.array(Header),
      body: Body,
    })
    .optional(),
  websocket: z
    .array(z.object({ t: Millis, fromClient: z.boolean(), size: z.number().int(), sha256: Sha256.optional() }))
    .optional(),
  /** Whose traffic: the app under test, a system process, or unknown. */
  origin: z
    .object({ tag: z.enum(['app', 'system', 'unknown']), package: z.string().optional(), uid: z.number().optional() })
    .default({ tag: 'unknown' }),
  /** Filled by the traffic scanner (at capture or re-analysis). */
  hits: z.array(IdentifierHit).default([]),
  destination: Attribution.optional(),
  error: z.string().optional(),
});
export type Flow = z.infer<typeof Flow>;

export const UiSnapshot = z.object({
  id: Id,
  t: Millis,
  step: z.number().int().nonnegative().optional(),
  /** Paths relative to the bundle root. */
  screenshot: z.string().optional(),
  tree: z.string().optional(),
  activity: z.string().optional(),
  package: z.string().optional(),
});
export type UiSnapshot = z.infer<typeof UiSnapshot>;

export const SEVERITIES = ['high', 'medium', 'low', 'info'] as const;
export const Severity = z.enum(SEVERITIES);
/** What `--fail-on` and `reports.failOn` accept: a severity, or never. */
export const FAIL_ON_LEVELS = [...SEVERITIES, 'never'] as const;
export const FailOn = z.enum(FAIL_ON_LEVELS);
/** The rule sets a run can be judged under (recorded in run.json as `ruleSet`). */
export const RULE_SET_IDS = ['cn-miit', 'eu', 'google-play'] as const;
export type Severity = z.infer<typeof Severity>;

export const EvidenceRef = z.object({
  events: z.array(Id).default([]),
  flows: z.array(Id).default([]),
  markers: z.array(Id).default([]),
  ui: z.array(Id).default([]),
});
export type EvidenceRef = z.infer<typeof EvidenceRef>;

export const Finding = z.object({
  ruleId: z.string(),
  severity: Severity,
  /** One sentence a non-engineer understands. */
  statement: z.string(),
  /** Clause citations from the active rule set. */
  sources: z.array(z.string()).default([]),
  dataTypes: z.array(DataTypeId).default([]),
  sdk: z.string().optional(),
  t: Millis.optional(),
  evidence: EvidenceRef,
});
export type Finding = z.infer<typeof Finding>;

export const Verdict = z.enum(['pass', 'fail', 'inconclusive']);
export type Verdict = z.infer<typeof Verdict>;

export const FindingsDoc = z.object({
  schemaVersion: z.literal(BUNDLE_SCHEMA_VERSION),
  runId: Id,
  analysedAt: Millis,
  consentryVersion: z.string(),
  ruleSet: z.string(),
  verdict: Verdict,
  /** Why inconclusive (or notes on a pass/fail). */
  reasons: z.array(z.string()).default([]),
  findings: z.array(Finding),
});
export type FindingsDoc = z.infer<typeof FindingsDoc>;

/** The JSONL streams of a bundle and the schema of one line of each. */
export const STREAMS = {
  markers: { file: BUNDLE_FILES.markers, schema: Marker },
  events: { file: BUNDLE_FILES.events, schema: HookEvent },
  flows: { file: BUNDLE_FILES.flows, schema: Flow },
  ui: { file: BUNDLE_FILES.ui, schema: UiSnapshot },
} as const;
export type StreamName = keyof typeof STREAMS;

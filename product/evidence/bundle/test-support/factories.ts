import { BUNDLE_SCHEMA_VERSION, type Flow, type HookEvent, type Marker, type RunMeta } from '../../../contracts/bundle-schema.js';
import { BundleWriter } from '../writer.js';

/**
 * Factories for bundle records, shared by rule tests, report tests and users' own tests
 * (in the spirit of mitmproxy's tflow). Times default to a fixed epoch so results are stable.
 */
export const T0 = 1_750_000_000_000;

export function runMeta(overrides: Partial<RunMeta> = {}): RunMeta {
  return {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    runId: 'test-run',
    app: { package: 'com.example.app', versionName: '1.0', versionCode: 1 },
    device: { serial: 'emulator-5554', profile: 'emulator-api33', clockOffsetMs: 0 },
    scenario: { id: 'standard' },
    tools: {},
    identifiers: { 'android-id': ['9774d56d682e549c'] },
    startedAt: T0,
    endedAt: T0 + 60_000,
    outcome: 'complete',
    phases: [],
    coverage: { instrumentation: 'active', traffic: 'active' },
    ...overrides,
  };
}

let seq = 0;
const nextId = (p: string) => `${p}${++seq}`;

export function marker(kind: Marker['kind'], t: number, extra: Partial<Marker> = {}): Marker {
  return { id: nextId('m'), t, kind, label: kind, ...extra };
}

export function hookEvent(dataType: HookEvent['dataType'], t: number, extra: Partial<HookEvent> = {}): HookEvent {
  return {
    id: nextId('e'),
    t,
    dataType,
    api: 'android.provider.Settings$Secure.getString',
    args: [],
    outcome: { kind: 'returned' },
    stack: [],
    ...extra,
  };
}

export function flow(url: string, t: number, extra: Partial<Flow> = {}): Flow {
  const u = new URL(url);
  return {
    id: nextId('f'),
    t,
    server: { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) },
    scheme: u.protocol === 'https:' ? 'https' : 'http',
    request: { method: 'GET', url, headers: [['host', u.host]], body: { size: 0 } },
    response: { status: 200, headers: [], body: { size: 0 } },
    origin: { tag: 'app' },
    hits: [],
    ...extra,
  };
}

export interface BundleContents {
  run?: Partial<RunMeta>;
  markers?: Marker[];
  events?: HookEvent[];
  flows?: Flow[];
}

/** Writes a complete bundle to `root` and returns its directory. */
export async function writeTestBundle(root: string, contents: BundleContents = {}): Promise<string> {
  const meta = runMeta({ runId: `test-${Date.now()}-${++seq}`, ...contents.run });
  const writer = BundleWriter.create(root, { ...meta, outcome: 'running' });
  for (const m of contents.markers ?? []) writer.addMarker(m);
  for (const e of contents.events ?? []) writer.addEvent(e);
  for (const f of contents.flows ?? []) writer.addFlow(f);
  await writer.finish(meta.outcome === 'running' ? 'complete' : meta.outcome, meta.outcomeReason, meta.endedAt);
  return writer.dir;
}

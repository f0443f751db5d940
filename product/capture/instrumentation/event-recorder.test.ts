import { describe, expect, it } from 'vitest';
import { runMeta, T0 } from '../../evidence/bundle/test-support/factories.js';
import { HookEvent, type Marker, type RunMeta } from '../../contracts/bundle-schema.js';
import { loadSdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { silentLogger } from '../../core/logger.js';
import { AgentEventRecorder } from './event-recorder.js';

function recorder(clockOffsetMs = 0) {
  const events: Omit<HookEvent, 'id'>[] = [];
  const markers: Omit<Marker, 'id'>[] = [];
  let run: RunMeta = runMeta({ device: { serial: 's', profile: 'p', clockOffsetMs } });
  const r = new AgentEventRecorder({
    sink: { get run() { return run; }, addEvent: (e) => events.push(e), addMarker: (m) => markers.push(m), updateRun: (p) => (run = { ...run, ...p }) },
    packageName: 'com.example.app',
    sdks: loadSdkCatalogue(),
    logger: silentLogger(),
  });
  return { r, events, markers };
}

const life = (state: 'foreground' | 'background', t: number, component = 'com.example.app.MainActivity') => ({
  dataType: 'lifecycle', api: `android.app.Activity.${state === 'foreground' ? 'onResume' : 'onPause'}`, args: [], outcome: { kind: 'returned' },
  tWall: t, stack: [], lifecycle: { state, component },
});

describe('agent event recorder', () => {
  it('turns resume/pause into foreground/background markers, ignoring moves between the app\'s own activities', () => {
    const { r, markers } = recorder(100);
    r.record(1, 'com.example.app', [
      life('foreground', T0),
      life('background', T0 + 5_000),
      life('foreground', T0 + 5_050, 'com.example.app.DetailActivity'),
      life('background', T0 + 9_000, 'com.example.app.DetailActivity'),
    ], 0);
    r.flushLifecycle(false, T0 + 9_100);
    expect(markers.map((m) => m.kind)).toEqual(['app.foreground']);
    r.flushLifecycle(false, T0 + 10_000);
    r.record(1, 'com.example.app', [life('foreground', T0 + 20_000)], 0);
    expect(markers.map((m) => [m.kind, m.t])).toEqual([
      ['app.foreground', T0 + 100],
      ['app.background', T0 + 9_100],
      ['app.foreground', T0 + 20_100],
    ]);
  });

  it('skips invalid events and says so, and turns an agent\'s dropped count into a note', () => {
    const { r, events, markers } = recorder();
    r.record(7, 'com.example.app', [{ dataType: 'not-a-type', api: 'x' }, { ...life('foreground', T0), dataType: 'wifi-network', lifecycle: undefined }], 12);
    expect(events).toHaveLength(1);
    expect(markers).toMatchObject([{ kind: 'note', data: { dropped: 12 } }]);
    expect(r.problems()).toEqual(['1 invalid agent events skipped', '12 events dropped by the agent']);
  });

  it('writes through the trusted append when the sink has one, every record a valid HookEvent', () => {
    const trusted: unknown[] = [];
    const untrusted: unknown[] = [];
    let run = runMeta({ device: { serial: 's', profile: 'p', clockOffsetMs: -50 } });
    const r = new AgentEventRecorder({
      sink: {
        get run() {
          return run;
        },
        addEvent: (e) => untrusted.push(e),
        appendTrusted: (_stream, e) => trusted.push({ ...e, id: `e${trusted.length + 1}` }),
        addMarker: () => undefined,
        updateRun: () => undefined,
      },
      packageName: 'com.example.app',
      sdks: loadSdkCatalogue(),
      logger: silentLogger(),
    });
    const read = {
      dataType: 'android-id', api: 'android.provider.Settings$Secure.getString', args: ['android_id'], ret: 'abc', outcome: { kind: 'returned', injected: '<x>' },
      tWall: T0, monotonicNs: '42', thread: 'main', stack: ['com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:1)'], sampled: { count: 2, windowMs: 100 }, extra: 'dropped',
    };
    r.record(3, 'p'.repeat(400), [read, { ...read, tWall: 10 }, { ...read, dataType: 'nope' }], 0);
    expect(untrusted).toEqual([]);
    const events = trusted.map((e) => HookEvent.parse(e));
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ t: T0 - 50, tDevice: T0, pid: 3, dataType: 'android-id', attribution: { party: 'sdk', sdk: 'umeng' }, sampled: { count: 2, windowMs: 100 } });
    // Clamped to the bundle's limits; the agent's unknown keys never reach it.
    expect(events[0]!.process).toHaveLength(300);
    expect(trusted[0]).not.toHaveProperty('extra');
    expect((trusted[0] as HookEvent).outcome).toEqual({ kind: 'returned' });
    expect(events[1]!.t).toBe(0);
    expect(r.problems()).toEqual(['1 invalid agent events skipped']);
    // A time that the offset pushes past any finite value would be written as null: skipped.
    run = { ...run, device: { ...run.device, clockOffsetMs: Number.MAX_VALUE } };
    r.record(3, 'p', [{ ...read, tWall: Number.MAX_VALUE }], 0);
    expect(trusted).toHaveLength(2);
    expect(r.problems()).toEqual(['2 invalid agent events skipped']);
  });
});

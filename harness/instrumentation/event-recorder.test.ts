import { describe, expect, it } from 'vitest';
import { runMeta, T0 } from '../bundle/factories.js';
import type { HookEvent, Marker, RunMeta } from '../bundle/schema.js';
import { loadSdkCatalogue } from '../catalogue/sdk-catalogue.js';
import { silentLogger } from '../core/logger.js';
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
});

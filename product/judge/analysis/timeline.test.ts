import { describe, expect, it } from 'vitest';
import { marker, runMeta, T0 } from '../../evidence/bundle/test-support/factories.js';
import { Timeline } from './timeline.js';

describe('Timeline', () => {
  it('takes a consent decision from the press, not from when the dialog was seen gone', () => {
    const step = marker('step', T0 + 10_000, { step: 2, tEnd: T0 + 14_000, label: 'consent: accept', data: { kind: 'consent' } });
    const accepted = marker('consent.accepted', T0 + 13_000, { step: 2 });
    const tl = new Timeline([step, accepted], runMeta());
    expect(tl.consentAt(T0 + 9_000).state).toBe('pending');
    expect(tl.consentAt(T0 + 12_000).state).toBe('accepted');
    // With the press time recorded, it decides (less the clock offset's uncertainty), not a 5 s guess.
    const pressed = new Timeline([marker('consent.refused', T0 + 13_000, { data: { tPressed: T0 + 12_500 } })], runMeta());
    expect(pressed.consentAt(T0 + 12_000).state).toBe('pending');
    expect(pressed.consentAt(T0 + 12_400).state).toBe('refused');
    expect(pressed.consentAt(T0 + 12_600).state).toBe('refused');
  });

  it('starts a new segment at a reinstall or data reset, and tracks the background', () => {
    const tl = new Timeline(
      [
        marker('consent.accepted', T0 + 1000),
        marker('app.background', T0 + 2000),
        marker('app.foreground', T0 + 3000),
        marker('step', T0 + 5000, { label: 'reset-data', data: { kind: 'reset-data' } }),
        marker('app.install', T0 + 9000),
      ],
      runMeta(),
    );
    expect([T0, T0 + 6000, T0 + 9500].map((t) => tl.segmentOf(t))).toEqual([0, 1, 2]);
    expect(tl.consentAt(T0 + 6000).state).toBe('pending');
    expect(tl.inBackground(T0 + 2500)).toBeDefined();
    expect(tl.inBackground(T0 + 3500)).toBeUndefined();
  });

  it('reads permission names and groups from markers', () => {
    expect(Timeline.permissionsOf(marker('permission.denied', T0, { data: { group: 'camera' } }))).toEqual(['camera']);
    expect(Timeline.permissionsOf(marker('permission.denied', T0, { label: 'denied android.permission.CAMERA' }))).toEqual(['android.permission.CAMERA']);
  });
});

describe('Timeline segments around a reinstall step', () => {
  it('keeps the old consent until the fresh install has happened', () => {
    const refused = marker('consent.refused', T0 + 1000);
    const step = marker('step', T0 + 5000, { tEnd: T0 + 6000, label: 'reinstall: Uninstall and install the app again.', data: { kind: 'reinstall' } });
    const install = marker('app.install', T0 + 5600);
    const timeline = new Timeline([refused, step, install], runMeta({ startedAt: T0 }));
    // During the step, before the install, the old process still runs under the refusal.
    expect(timeline.consentAt(T0 + 5500).state).toBe('refused');
    expect(timeline.segmentOf(T0 + 5500)).toBe(0);
    expect(timeline.consentAt(T0 + 5700).state).toBe('pending');
    expect(timeline.stoppedByScenario(T0 + 5500)).toBe(true);
    expect(timeline.stoppedByScenario(T0 + 9000)).toBe(false);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtIn } from '../../../product/core/paths.js';
import { loadScenario, parseScenarioText, scaleObservation } from '../../../product/capture/scenarios/index.js';
import { bundlePhases, declaredWaitSeconds, PhaseRecorder, playedSteps } from './run-phases.js';

const dir = mkdtempSync(join(tmpdir(), 'consentry-run-phases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run phase accounting', () => {
  it('counts observe steps and settle times, with repeats expanded', () => {
    const scenario = parseScenarioText(
      ['id: t', 'description: t', 'steps:', '  - launch: { settle: 1.5 }', '  - repeat:', '      times: 3', '      steps:', '        - observe: 2', '        - relaunch', '  - back'].join('\n'),
      'inline.yaml',
    );
    // 1.5 + 3 × (2 + the relaunch default settle of 2)
    expect(declaredWaitSeconds(scenario.steps)).toBe(13.5);
    expect(playedSteps(scenario.steps).map((s) => `${s.kind}:${s.waitMs}`)).toEqual([
      'launch:1500',
      ...Array.from({ length: 3 }, () => ['observe:2000', 'relaunch:2000']).flat(),
      'back:0',
    ]);
  });

  it('scales with the observe scale a run uses', () => {
    const idle = loadScenario('pre-consent-idle', [builtIn.scenarios]);
    expect(declaredWaitSeconds(scaleObservation(idle, 0.1).steps)).toBeCloseTo(declaredWaitSeconds(idle.steps) / 10, 5);
  });

  it('sums repeated phases and charges the uncovered wall time to teardown', () => {
    let now = 0;
    const rec = new PhaseRecorder(() => now);
    const phase = (name: string, from: number, to: number) => {
      now = from;
      rec.events.emit('run', { type: 'phase', phase: name, state: 'start' });
      now = to;
      rec.events.emit('run', { type: 'phase', phase: name, state: 'end', ms: to - from });
    };
    phase('install', 0, 300);
    phase('scenario', 300, 5300);
    phase('install', 5300, 5500);
    const b = rec.breakdown(6000);
    expect(b.get('install')).toBe(500);
    expect(b.get('teardown')).toBe(500);
  });

  it('charges a background phase only for the time no other phase overlaps', () => {
    let now = 0;
    const rec = new PhaseRecorder(() => now);
    const emit = (phase: string, state: 'start' | 'end', t: number) => {
      now = t;
      rec.events.emit('run', { type: 'phase', phase, state, ...(state === 'end' ? { ms: 0 } : {}) });
    };
    // The proxy starts at 0 and listens at 400; prepare and install run from 0 to 150.
    emit('capture-start', 'start', 0);
    emit('prepare', 'start', 0);
    emit('prepare', 'end', 50);
    emit('install', 'start', 50);
    emit('install', 'end', 150);
    emit('capture-start', 'end', 400);
    emit('scenario', 'start', 400);
    emit('scenario', 'end', 1400);
    const b = rec.breakdown(1500);
    expect(b.get('capture-start')).toBe(250);
    expect(b.get('install')).toBe(100);
    expect(b.get('teardown')).toBe(100);
    // Critical-path shares add up to the wall time.
    expect([...b.values()].reduce((s, v) => s + v, 0)).toBe(1500);
  });

  it('splits the scenario phase into session open, steps and session close from the bundle', () => {
    const bundle = join(dir, 'b');
    const t0 = 1_700_000_000_000;
    mkdirSync(bundle, { recursive: true });
    writeFileSync(
      join(bundle, 'run.json'),
      JSON.stringify({
        schemaVersion: 1,
        runId: 'r',
        app: { package: 'com.x', apkSha256: 'a'.repeat(64) },
        device: { serial: 's', profile: 'p' },
        scenario: { id: 'idle' },
        startedAt: t0,
        outcome: 'complete',
        phases: [
          { name: 'install', start: t0, end: t0 + 100 },
          { name: 'scenario', start: t0 + 100, end: t0 + 20_100 },
          { name: 'scenario:idle', start: t0 + 11_100, end: t0 + 15_000 },
        ],
      }),
    );
    const marker = (id: string, kind: string, t: number, tEnd: number) => JSON.stringify({ id, t, tEnd, kind: 'step', label: kind, data: { kind } });
    writeFileSync(join(bundle, 'markers.jsonl'), `${[marker('m1', 'launch', t0 + 11_100, t0 + 12_000), marker('m2', 'part', t0 + 11_100, t0 + 15_000), marker('m3', 'observe', t0 + 12_000, t0 + 15_000)].join('\n')}\n`);
    const p = bundlePhases(bundle);
    expect(p.outcome).toBe('complete');
    expect(p.phases.get('scenario')).toBe(20_000);
    expect(p.scenario).toEqual({ sessionOpenMs: 11_000, sessionCloseMs: 5_100, steps: [{ kind: 'launch', ms: 900 }, { kind: 'observe', ms: 3000 }] });
  });
});

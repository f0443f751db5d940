import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtIn } from '../../harness/core/paths.js';
import { loadScenario, parseScenarioText, scaleObservation } from '../../harness/scenarios/index.js';
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
    const rec = new PhaseRecorder();
    rec.events.emit('run', { type: 'phase', phase: 'install', state: 'start' });
    rec.events.emit('run', { type: 'phase', phase: 'install', state: 'end', ms: 300 });
    rec.events.emit('run', { type: 'phase', phase: 'scenario', state: 'end', ms: 5000 });
    rec.events.emit('run', { type: 'phase', phase: 'install', state: 'end', ms: 200 });
    const b = rec.breakdown(6000);
    expect(b.get('install')).toBe(500);
    expect(b.get('teardown')).toBe(500);
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

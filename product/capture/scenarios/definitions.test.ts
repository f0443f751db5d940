import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import type { Step } from './definitions.js';
import { explainStep } from './explain.js';
import { loadScenario, loadScenarioLibrary, parseScenarioText, scaleObservation, summariseScenario } from './loader.js';
import { tempDirs } from '../../core/test-support/temp-dirs.js';

const root = tempDirs('scenarios').root;

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('scenario definitions', () => {
  it('normalises bare and one-key steps with their defaults', () => {
    const s = parseScenarioText(
      [
        'id: demo',
        'description: all the shapes',
        'steps:',
        '  - launch',
        '  - observe: 5',
        '  - consent: refuse',
        '  - permission: { action: deny-always, permission: android.permission.CAMERA, optional: true }',
        '  - tap: { text: 同意 }',
        '  - type: { id: search, value: hello }',
        '  - expect: { id: main, absent: true, timeout: 2 }',
        '  - repeat: { times: 2, steps: [back, home] }',
        '  - reset-data',
      ].join('\n'),
      'demo.yaml',
    );
    expect(s.steps.map((x) => x.kind)).toEqual(['launch', 'observe', 'consent', 'permission', 'tap', 'type', 'expect', 'repeat', 'reset-data']);
    expect(s.steps[0]).toEqual({ kind: 'launch', via: 'monkey', settle: 2 });
    expect(s.steps[2]).toEqual({ kind: 'consent', action: 'refuse', timeout: 15 });
    expect(s.steps[3]).toMatchObject({ kind: 'permission', action: 'deny-always', permission: 'android.permission.CAMERA', optional: true, all: false });
    expect(s.steps[4]).toEqual({ kind: 'tap', selector: { text: '同意' }, timeout: 5, optional: false });
    expect(s.steps[6]).toEqual({ kind: 'expect', target: { element: { id: 'main' } }, absent: true, timeout: 2 });
    expect((s.steps[7] as Extract<Step, { kind: 'repeat' }>).steps.map((x) => x.kind)).toEqual(['back', 'home']);
    expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names file, line and field for a wrong value', () => {
    const err = inputError(() => parseScenarioText('id: x\ndescription: d\nsteps:\n  - launch\n  - consent: maybe\n', 'bad.yaml'));
    expect(err.line).toBe(5);
    expect(err.field).toBe('steps.1.consent.action');
    expect(err.message).toContain('bad.yaml:5');
    expect(err.message).toMatch(/"accept"\|"refuse"/);
    expect(err.exitCode).toBe(2);
  });

  it('names an unknown step and lists the vocabulary', () => {
    const err = inputError(() => parseScenarioText('id: x\ndescription: d\nsteps:\n  - launch\n  - clik: { id: agree }\n', 'bad.yaml'));
    expect(err.line).toBe(5);
    expect(err.field).toBe('steps.1');
    expect(err.message).toMatch(/unknown step "clik".*launch, relaunch, observe/);
  });

  it('rejects a selector with two strategies, and a nested bad value with its line', () => {
    const two = inputError(() => parseScenarioText('id: x\ndescription: d\nsteps:\n  - tap: { id: a, text: b }\n', 'two.yaml'));
    expect(two.field).toBe('steps.0.tap');
    expect(two.message).toMatch(/exactly one selector/);
    const nested = inputError(() =>
      parseScenarioText('id: x\ndescription: d\nsteps:\n  - repeat:\n      times: 2\n      steps:\n        - observe: -3\n', 'nested.yaml'),
    );
    expect(nested.field).toBe('steps.0.repeat.steps.0.observe.seconds');
    expect(nested.line).toBe(7);
  });

  it('rejects two steps in one list item', () => {
    const err = inputError(() => parseScenarioText('id: x\ndescription: d\nsteps:\n  - launch: {}\n    observe: 3\n', 'two-steps.yaml'));
    expect(err.field).toBe('steps.0');
    expect(err.message).toMatch(/one step per list item/);
  });

  it('explains every step in one sentence', () => {
    const s = parseScenarioText('id: x\ndescription: d\nsteps:\n  - consent: { action: accept, accept: { id: ok_btn } }\n  - observe: 120\n', 'x.yaml');
    expect(explainStep(s.steps[0]!)).toBe('Accept the privacy policy dialog by pressing id "ok_btn" (waiting up to 15 s for it).');
    expect(explainStep(s.steps[1]!)).toMatch(/^Touch nothing for 2 min/);
  });
});

describe('scenario library', () => {
  it('loads every built-in scenario, and standard reinstalls between its parts', () => {
    const lib = loadScenarioLibrary();
    expect([...lib.scenarios.keys()].sort()).toEqual([
      'accept-consent',
      'accept-deny-permissions',
      'accept-grant-permissions',
      'background-idle',
      'deny-then-relaunch',
      'pre-consent-idle',
      'refuse-consent',
      'standard',
    ]);
    const standard = lib.get('standard')!;
    const kinds = standard.steps.map((s) => s.kind);
    expect(kinds).toEqual(['part', 'reinstall', 'part', 'reinstall', 'part', 'reinstall', 'part', 'part', 'part']);
    const refusal = standard.steps[2] as Extract<Step, { kind: 'part' }>;
    expect(refusal.include).toBe('refuse-consent');
    expect(refusal.steps.map((s) => s.kind)).toEqual(['launch', 'consent', 'observe']);
    // After the grant, from the main screen: close pop-ups, then look for the policy (RD 一.3).
    const policy = standard.steps[7] as Extract<Step, { kind: 'part' }>;
    expect(policy.steps).toEqual([
      { kind: 'dismiss-popups', timeout: 5, max: 3 },
      { kind: 'find-policy', maxTaps: 4 },
    ]);
    expect(lib.get('accept-consent')!.steps.map((s) => s.kind)).toEqual(['launch', 'consent', 'dismiss-popups', 'observe']);
    expect(summariseScenario(lib.get('pre-consent-idle')!)).toMatchObject({ steps: 2, observeSeconds: 30 });
  });

  it('reads dismiss-popups and find-policy bare, with a number, or with their parameters', () => {
    const s = parseScenarioText(
      ['id: p', 'description: d', 'steps:', '  - dismiss-popups', '  - dismiss-popups: 2', '  - dismiss-popups: { max: 1 }', '  - find-policy', '  - find-policy: 6'].join('\n'),
      'p.yaml',
    );
    expect(s.steps).toEqual([
      { kind: 'dismiss-popups', timeout: 5, max: 3 },
      { kind: 'dismiss-popups', timeout: 2, max: 3 },
      { kind: 'dismiss-popups', timeout: 5, max: 1 },
      { kind: 'find-policy', maxTaps: 4 },
      { kind: 'find-policy', maxTaps: 6 },
    ]);
    expect(explainStep(s.steps[3]!)).toMatch(/privacy policy.*at most 4 taps/);
    const err = inputError(() => parseScenarioText('id: x\ndescription: d\nsteps:\n  - find-policy: { maxTaps: 0 }\n', 'bad.yaml'));
    expect(err.field).toBe('steps.0.find-policy.maxTaps');
  });

  it('scales observation but not timeouts', () => {
    const s = scaleObservation(loadScenario('refuse-consent'), 0.1);
    expect(s.steps[1]).toMatchObject({ kind: 'consent', timeout: 15 });
    expect(s.steps[2]).toMatchObject({ kind: 'observe', seconds: 3 });
    expect(() => scaleObservation(s, 0)).toThrow(/positive/);
  });

  it('refuses an include cycle and an unknown include, naming the line', () => {
    const dir = join(root, 'cycle');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.yaml'), 'id: a\ndescription: a\nsteps:\n  - launch\n  - part: { name: b, include: b }\n');
    writeFileSync(join(dir, 'b.yaml'), 'id: b\ndescription: b\nsteps:\n  - part: { name: a, include: a }\n');
    const cycle = inputError(() => loadScenarioLibrary([dir]));
    expect(cycle.code).toBe('SCENARIO_INCLUDE_CYCLE');
    expect(cycle.message).toMatch(/a → b → a|b → a → b/);
    const dir2 = join(root, 'unknown');
    mkdirSync(dir2);
    writeFileSync(join(dir2, 'c.yaml'), 'id: c\ndescription: c\nsteps:\n  - launch\n  - part: { name: z, include: nowhere }\n');
    const unknown = inputError(() => loadScenarioLibrary([dir2]));
    expect(unknown.code).toBe('SCENARIO_INCLUDE_UNKNOWN');
    expect(unknown.line).toBe(5);
    expect(unknown.field).toBe('steps.1.part.include');
  });

  it('requires the id to match the file name', () => {
    const dir = join(root, 'mismatch');
    mkdirSync(dir);
    writeFileSync(join(dir, 'mine.yaml'), 'description: d\nid: other\nsteps:\n  - launch\n');
    const err = inputError(() => loadScenarioLibrary([dir]));
    expect(err.field).toBe('id');
    expect(err.line).toBe(2);
  });

  it('loads a user file whose parts include built-ins', () => {
    const file = join(root, 'mine.yaml');
    writeFileSync(file, 'id: mine\ndescription: refusal twice\nsteps:\n  - part: { name: one, include: refuse-consent }\n  - reset-data\n  - part: { name: two, include: refuse-consent }\n');
    const s = loadScenario(file);
    expect(summariseScenario(s)).toMatchObject({ steps: 7, observeSeconds: 60 });
  });
});

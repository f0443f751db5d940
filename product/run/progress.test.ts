import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createCliLogger } from '../core/logger.js';
import { attachRunProgress } from './progress.js';
import type { RunEvent } from './run-app.js';
import { FakeTerminal, screenOf } from './test-support/fake-terminal.js';

const emit = (events: EventEmitter, e: RunEvent) => events.emit('run', e);

describe('run progress in a terminal', () => {
  it('draws one status line, prints warnings above it, and leaves the result last', async () => {
    const term = new FakeTerminal(true);
    const { logger, screen } = createCliLogger({ level: 'info', screenLevel: 'warn', stderr: term });
    const events = new EventEmitter();
    let clock = 1_000;
    const detach = attachRunProgress(events, 'umeng.apk', { stream: term as unknown as NodeJS.WriteStream, divert: (p) => screen.divert(p), now: () => clock });
    emit(events, { type: 'phase', phase: 'scenario', state: 'start' });
    emit(events, { type: 'step', index: 2, label: 'accept the privacy policy' });
    emit(events, { type: 'counts', events: 12, flows: 5 });
    logger.info('phase prepare done'); // info: for the bundle, not the screen
    logger.warn({ serial: 'emulator-5554' }, 'consent dialog not found\nretrying');
    clock += 23_000;
    emit(events, { type: 'counts', events: 12, flows: 5 });
    await new Promise((r) => setTimeout(r, 250)); // a frame or two
    expect(screenOf(term.raw).at(-1)).toBe('umeng.apk | scenario | step 3: accept the privacy policy | events 12 | flows 5 | 23s');
    detach();
    term.write('verdict: fail\n');
    const shown = screenOf(term.raw);
    expect(shown).toEqual([
      'warn: consent dialog not found ⏎ retrying (serial=emulator-5554)',
      'umeng.apk: finished in 23s (events 12, flows 5)',
      'verdict: fail',
    ]);
    expect(term.raw).not.toContain('"level"');
    // Once the result is out, late log lines stay off the screen.
    screen.mute();
    logger.error('pipeline close failed');
    expect(screenOf(term.raw).at(-1)).toBe('verdict: fail');
  });
});

describe('run progress in a file or CI log', () => {
  it('writes plain lines, one per phase and step, without control sequences', () => {
    const out = new FakeTerminal(false);
    const events = new EventEmitter();
    const detach = attachRunProgress(events, 'umeng.apk', { stream: out as unknown as NodeJS.WriteStream, divert: () => () => undefined });
    emit(events, { type: 'phase', phase: 'scenario', state: 'start' });
    emit(events, { type: 'step', index: 0, label: 'launch' });
    emit(events, { type: 'counts', events: 3, flows: 1 });
    emit(events, { type: 'phase', phase: 'scenario', state: 'end', ms: 1500 });
    detach();
    expect(out.raw).toBe('umeng.apk: scenario …\numeng.apk: step 1: launch\numeng.apk: scenario done in 1500 ms\n');
  });
});

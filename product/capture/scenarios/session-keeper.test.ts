import { describe, expect, it } from 'vitest';
import { UiSessionKeeper } from './session-keeper.js';
import type { UiDriver, UiSession } from './ui-session.js';

/** A session whose device answers (or not) and which records being closed. */
function fakeSession(id: string, state: { answers: boolean | 'hang'; closed: string[] }): UiSession {
  const driver: UiDriver = {
    pageSource: async () => '<hierarchy/>',
    screenshotPng: async () => Buffer.alloc(0),
    find: async () => [],
    click: async () => undefined,
    sendKeys: async () => undefined,
    back: async () => undefined,
    pressKeyCode: async () => undefined,
    async windowSize() {
      if (state.answers === 'hang') return new Promise(() => undefined);
      if (!state.answers) throw new Error('instrumentation process is not running (probably crashed)');
      return { width: 1080, height: 2400 };
    },
    async close() {
      state.closed.push(id);
    },
  };
  return { driver, sessionId: id, capabilities: {}, attempts: 1 };
}

/** A keeper, the device state its sessions see, and an opener that numbers the sessions s1, s2... */
function setUp(options: ConstructorParameters<typeof UiSessionKeeper>[0] = {}, answers: boolean | 'hang' = true) {
  const state = { answers, closed: [] as string[] };
  let opened = 0;
  return { state, keeper: new UiSessionKeeper(options), open: async () => fakeSession(`s${++opened}`, state), opened: () => opened };
}

describe('UiSessionKeeper', () => {
  it('hands a device its kept session for the next run instead of opening another', async () => {
    const { state, keeper, open, opened } = setUp();
    const first = await keeper.acquire('dev-1', open);
    expect(first.reused).toBe(false);
    await keeper.release('dev-1', first.session, true);
    const { session: second, reused } = await keeper.acquire('dev-1', open);
    expect(second.sessionId).toBe('s1');
    expect(reused).toBe(true);
    expect(opened()).toBe(1);
    // Another device gets its own session.
    const { session: other } = await keeper.acquire('dev-2', open);
    expect(other.sessionId).toBe('s2');
    await keeper.release('dev-1', second, true);
    await keeper.release('dev-2', other, true);
    expect(keeper.size).toBe(2);
    await keeper.closeAll();
    expect(state.closed.sort()).toEqual(['s1', 's2']);
    expect(keeper.size).toBe(0);
  });

  it('opens a new session when the kept one no longer answers, and closes the dead one', async () => {
    const { state, keeper, open } = setUp();
    await keeper.release('dev-1', (await keeper.acquire('dev-1', open)).session, true);
    state.answers = false; // the device rebooted: its UiAutomator2 server is gone
    const next = await keeper.acquire('dev-1', open);
    expect(next.session.sessionId).toBe('s2');
    expect(next.reused).toBe(false);
    expect(state.closed).toEqual(['s1']);
  });

  it('does not wait forever on a kept session that hangs', async () => {
    const { keeper, open } = setUp({ checkTimeoutMs: 50 }, 'hang');
    await keeper.release('dev-1', (await keeper.acquire('dev-1', open)).session, true);
    const next = await keeper.acquire('dev-1', open);
    expect(next.session.sessionId).toBe('s2');
  });

  it('closes the session of a failed run, and every session when keeping is off', async () => {
    const { state, keeper, open } = setUp();
    await keeper.release('dev-1', (await keeper.acquire('dev-1', open)).session, false);
    expect(state.closed).toEqual(['s1']);
    expect((await keeper.acquire('dev-1', open)).session.sessionId).toBe('s2');

    const fresh = new UiSessionKeeper({ keep: false });
    await fresh.release('dev-1', fakeSession('f1', state), true);
    expect(state.closed).toContain('f1');
    expect(fresh.size).toBe(0);
  });
});

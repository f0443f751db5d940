import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaptureStartOptions, RunningCapture, TrafficCaptureAdapter } from './capture-port.js';
import type { CapturedExchange } from './exchange.js';
import { removeOrphanedStandbyFolders, startStandbyProxy } from './standby-proxy.js';

const root = mkdtempSync(join(tmpdir(), 'consentry-standby-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ca = { certPem: '', keyPem: '', mitmproxyConfDir: '' };

/** An adapter whose proxy writes its native file at start and can be made to fail or exit. */
function fakeAdapter(behaviour: { fail?: boolean } = {}) {
  const state: { options?: CaptureStartOptions; alive: boolean; stopped: boolean } = { alive: true, stopped: false };
  const adapter: TrafficCaptureAdapter = {
    id: 'fake',
    description: 'test',
    isAvailable: async () => ({ available: true }),
    async start(options): Promise<RunningCapture> {
      state.options = options;
      if (behaviour.fail) throw new Error('address in use');
      if (options.nativeFlowFile) writeFileSync(options.nativeFlowFile, 'native flows');
      return { adapter: 'fake', host: '127.0.0.1', port: options.port!, proxyUrl: '', versions: {}, alive: () => state.alive, stop: async () => void (state.stopped = true) };
    },
  };
  return { adapter, state };
}

const exchange = (path: string): CapturedExchange => ({ t: 1, server: { host: 'example.com', port: 443 }, scheme: 'https', request: { method: 'GET', url: `https://example.com${path}`, headers: [], body: Buffer.alloc(0) } }) as unknown as CapturedExchange;

describe('standby proxy', () => {
  it('starts on a port known at once, holds early exchanges for the run that binds, and hands over its native file', async () => {
    const { adapter, state } = fakeAdapter();
    const standby = await startStandbyProxy({ adapter, ca, scratchRoot: root });
    expect(state.options?.port).toBe(standby.port);
    await standby.ready;
    state.options!.onExchange(exchange('/early'));
    const seen: string[] = [];
    standby.bind((e) => seen.push(e.request!.url));
    state.options!.onExchange(exchange('/later'));
    expect(seen).toEqual(['https://example.com/early', 'https://example.com/later']);
    const target = join(root, 'bundle-flows.mitm');
    standby.handOverNativeFlowFile(target);
    expect(existsSync(target)).toBe(true);
    expect(existsSync(standby.nativeFlowFile!)).toBe(false);
  });

  it('is not usable once its proxy failed to start or exited, and dispose stops it', async () => {
    const failing = await startStandbyProxy({ adapter: fakeAdapter({ fail: true }).adapter, ca, scratchRoot: root });
    await failing.ready.catch(() => undefined);
    expect(failing.usable()).toBe(false);

    const { adapter, state } = fakeAdapter();
    const standby = await startStandbyProxy({ adapter, ca, scratchRoot: root });
    await standby.ready;
    expect(standby.usable()).toBe(true);
    state.alive = false;
    expect(standby.usable()).toBe(false);
    await standby.dispose();
    expect(state.stopped).toBe(true);
  });

  it('removes the folders of standby proxies whose process was killed, and keeps live ones', () => {
    const dir = mkdtempSync(join(root, 'orphans-'));
    // A pid that has certainly exited: a child that already ran to its end.
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    mkdirSync(join(dir, `proxy-${gone}-abc123`));
    writeFileSync(join(dir, `proxy-${gone}-abc123`, 'flows.mitm'), 'x');
    mkdirSync(join(dir, `proxy-${process.pid}-def456`));
    mkdirSync(join(dir, 'unrelated'));
    expect(removeOrphanedStandbyFolders(dir)).toBe(1);
    expect(existsSync(join(dir, `proxy-${gone}-abc123`))).toBe(false);
    expect(existsSync(join(dir, `proxy-${process.pid}-def456`))).toBe(true);
    expect(existsSync(join(dir, 'unrelated'))).toBe(true);
    expect(removeOrphanedStandbyFolders(join(dir, 'missing'))).toBe(0);
  });
});

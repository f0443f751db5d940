import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FindingsDoc } from '../contracts/bundle-schema.js';
import type { DeviceLease } from '../capture/devices/index.js';
import type { DeviceSession, PipelineStages } from './stage-interfaces.js';
import { runApp } from './run-app.js';

/**
 * The pipeline's ordering promises with in-test stages: what happened, in order, is logged.
 * The real stages are exercised end to end in lab/e2e (pipeline, demo, batch).
 */
function stages(log: string[], options: { prepareFails?: boolean; proxyStartMs?: number } = {}): PipelineStages {
  let listening = false;
  const session: DeviceSession = {
    device: { serial: 'dev-1', profileId: 'test', clockOffsetMs: 0, identifiers: {}, tools: {} },
    lease: {} as DeviceLease,
    lost: new Promise<never>(() => undefined),
    async prepare({ proxyPort }) {
      log.push(`prepare proxy=${proxyPort}`);
      if (options.prepareFails) throw new Error('settings: permission denied');
    },
    async install() {
      log.push('install');
    },
    async teardown() {
      log.push('teardown');
      return [];
    },
    async release() {
      log.push('release');
    },
  };
  return {
    intake: { open: async () => ({ packageName: 'com.example.app', apkSha256: 'a'.repeat(64), installFiles: ['/x.apk'], staticFacts: {} }) },
    devices: { lease: async () => session },
    traffic: {
      ca: async () => ({ pem: 'PEM', sha256: 'b'.repeat(64) }),
      async start() {
        const port = 48_123;
        log.push(`proxy starting on ${port}`);
        const ready = (async () => {
          await new Promise((r) => setTimeout(r, options.proxyStartMs ?? 50));
          listening = true;
          log.push('proxy listening');
          return {
            port,
            tools: { proxy: 'test' },
            async stop() {
              log.push('proxy stopped');
            },
          };
        })();
        return { port, ready };
      },
      rescan: async () => undefined,
    },
    logs: {
      async start() {
        log.push('logcat');
        return { stop: async () => undefined };
      },
    },
    instrumentation: {
      async start() {
        log.push(`instrument (proxy listening: ${listening})`);
        return undefined;
      },
    },
    scenarios: {
      tools: () => ({}),
      async play() {
        log.push('scenario');
      },
    },
    analysis: {
      declarations: async () => ({}),
      analyze: async () => ({ findings: [] }) as unknown as FindingsDoc,
    },
    reports: { write: async () => ({}) },
  };
}

describe('runApp', () => {
  const dirs: string[] = [];
  const captures = () => {
    const d = mkdtempSync(join(tmpdir(), 'consentry-run-app-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('prepares and installs while the proxy starts, and arms instrumentation only once it listens', async () => {
    const log: string[] = [];
    const result = await runApp({ apk: '/x.apk', scenario: 'pre-consent-idle', capturesRoot: captures() }, stages(log, { proxyStartMs: 100 }));
    expect(result.outcome).toBe('complete');
    const port = /proxy starting on (\d+)/.exec(log.join('\n'))?.[1];
    // The device is pointed at the port the proxy is starting on.
    expect(log).toContain(`prepare proxy=${port}`);
    expect(log.indexOf('install')).toBeLessThan(log.indexOf('proxy listening'));
    expect(log).toContain('instrument (proxy listening: true)');
    expect(log.indexOf('proxy stopped')).toBeLessThan(log.indexOf('teardown'));
  });

  it('stops a proxy that was still starting when the device preparation failed', async () => {
    const log: string[] = [];
    const result = await runApp({ apk: '/x.apk', scenario: 'pre-consent-idle', capturesRoot: captures() }, stages(log, { prepareFails: true, proxyStartMs: 100 }));
    expect(result.outcome).toBe('failed');
    expect(result.error?.message).toMatch(/permission denied/);
    expect(log).toContain('proxy stopped');
    expect(log).not.toContain('scenario');
    expect(log.slice(-2)).toEqual(['teardown', 'release']);
    const run = JSON.parse(readFileSync(join(result.bundleDir, 'run.json'), 'utf8')) as { outcome: string; error?: string };
    expect(run.outcome).toBe('failed');
  });
});

import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../core/free-port.js';
import { buildCapabilities, openUiSession, SessionStartError } from './ui-session.js';

describe('Appium session', () => {
  it('builds UiAutomator2 capabilities from the lease and the device profile', () => {
    const caps = buildCapabilities(
      { udid: '127.0.0.1:40123', adbPort: 5099, systemPort: 8210 },
      { skipServerInstallation: true, skipDeviceInitialization: true, extra: { uiautomator2ServerReadTimeout: 30_000, 'appium:disableWindowAnimation': true } },
    );
    expect(caps).toMatchObject({
      platformName: 'Android',
      'appium:automationName': 'UiAutomator2',
      'appium:udid': '127.0.0.1:40123',
      'appium:adbPort': 5099,
      'appium:systemPort': 8210,
      'appium:noReset': true,
      'appium:autoGrantPermissions': false,
      'appium:skipServerInstallation': true,
      'appium:skipDeviceInitialization': true,
      'appium:uiautomator2ServerReadTimeout': 30_000,
      'appium:disableWindowAnimation': true,
    });
    // A real handset gets the driver's own server installation and device set-up by default.
    expect(buildCapabilities({ udid: 'R58M123', systemPort: 8200 })).toMatchObject({
      'appium:skipServerInstallation': false,
      'appium:skipDeviceInitialization': false,
    });
  });

  it('retries a failing session start with backoff, then fails with a retryable error', async () => {
    let requests = 0;
    // An Appium stand-in that refuses every session, as a server with a broken driver does.
    const server = createServer((req, res) => {
      requests += 1;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: { error: 'session not created', message: 'Could not find a connected Android device', stacktrace: '' } }));
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    try {
      const err = await openUiSession(new URL(`http://127.0.0.1:${port}/`), { udid: 'nowhere' }, {}, { attempts: 2, backoffMs: 10, requestTimeoutMs: 5000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SessionStartError);
      const e = err as SessionStartError;
      expect(e.code).toBe('APPIUM_SESSION_FAILED');
      expect(e.retryable).toBe(true);
      expect(e.message).toMatch(/after 2 attempts/);
      expect(requests).toBeGreaterThanOrEqual(2);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

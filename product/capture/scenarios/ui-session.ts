import { remote } from 'webdriverio';
import { ConsentryError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { freePort } from '../../core/free-port.js';
import type { Locator } from './selector.js';

/**
 * One Appium UiAutomator2 session per device lease, behind a small port (UiDriver) so the
 * runner speaks in scenario terms and tests can play scenarios against an in-test driver.
 * Capabilities are built once from typed values; session start is retried with backoff and a
 * final failure is a retryable error the pipeline records as the run outcome.
 */

export interface UiDriver {
  pageSource(): Promise<string>;
  screenshotPng(): Promise<Buffer>;
  /** Element ids matching the locator (empty when none). */
  find(locator: Locator): Promise<string[]>;
  click(elementId: string): Promise<void>;
  sendKeys(elementId: string, text: string): Promise<void>;
  back(): Promise<void>;
  pressKeyCode(keycode: number): Promise<void>;
  windowSize(): Promise<{ width: number; height: number }>;
  close(): Promise<void>;
}

export class SessionStartError extends ConsentryError {
  constructor(message: string, cause: unknown, attempts: number) {
    super('APPIUM_SESSION_FAILED', message, { cause, retryable: true, context: { attempts } });
  }
}

/** Appium options from the device profile; the rest comes from the lease. */
export interface SessionProfileOptions {
  noReset?: boolean;
  /** True when the UiAutomator2 server is already on the device (the virtual device). */
  skipServerInstallation?: boolean;
  skipDeviceInitialization?: boolean;
  /** Further `appium:` capabilities, verbatim. */
  extra?: Record<string, string | number | boolean>;
}

export interface SessionTarget {
  /** adb serial (`emulator-5554`, `127.0.0.1:5555`, a USB serial). */
  udid: string;
  adbHost?: string;
  adbPort?: number;
  /** Host port for the driver's forward to the UiAutomator2 server; allocated when absent. */
  systemPort?: number;
}

export function buildCapabilities(target: SessionTarget & { systemPort: number }, profile: SessionProfileOptions = {}): Record<string, unknown> {
  const caps: Record<string, unknown> = {
    platformName: 'Android',
    'appium:automationName': 'UiAutomator2',
    'appium:udid': target.udid,
    'appium:systemPort': target.systemPort,
    // The app is installed and started by consentry; Appium must not reset or relaunch it.
    'appium:noReset': profile.noReset ?? true,
    // Permission prompts are part of what is being tested: never auto-grant.
    'appium:autoGrantPermissions': false,
    'appium:skipServerInstallation': profile.skipServerInstallation ?? false,
    'appium:skipDeviceInitialization': profile.skipDeviceInitialization ?? false,
    'appium:newCommandTimeout': 600,
    'appium:uiautomator2ServerLaunchTimeout': 60_000,
    'appium:adbExecTimeout': 30_000,
    // consentry records logcat for the whole run itself; Appium's own capture would wait up to
    // 10 s for a first line from a freshly cleared log on every session start.
    'appium:skipLogcatCapture': true,
  };
  if (target.adbPort !== undefined) caps['appium:adbPort'] = target.adbPort;
  if (target.adbHost !== undefined) caps['appium:remoteAdbHost'] = target.adbHost;
  for (const [k, v] of Object.entries(profile.extra ?? {})) caps[k.includes(':') || k === 'platformName' ? k : `appium:${k}`] = v;
  return caps;
}

export interface OpenSessionOptions {
  attempts?: number;
  /** First backoff; doubles after each failure. */
  backoffMs?: number;
  /** Per-request timeout of the WebDriver client. */
  requestTimeoutMs?: number;
  logger?: Logger;
}

export interface UiSession {
  readonly driver: UiDriver;
  readonly sessionId: string;
  readonly capabilities: Record<string, unknown>;
  readonly attempts: number;
}

export async function openUiSession(
  server: URL,
  target: SessionTarget,
  profile: SessionProfileOptions = {},
  options: OpenSessionOptions = {},
): Promise<UiSession> {
  const logger = options.logger ?? silentLogger();
  const attempts = options.attempts ?? 3;
  let backoff = options.backoffMs ?? 2000;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    // A fresh system port per attempt: a failed attempt may leave its forward behind.
    const systemPort = target.systemPort !== undefined && attempt === 1 ? target.systemPort : await freePort();
    const capabilities = buildCapabilities({ ...target, systemPort }, profile);
    try {
      const browser = await remote({
        protocol: server.protocol.replace(':', '') as 'http' | 'https',
        hostname: server.hostname,
        port: Number(server.port || (server.protocol === 'https:' ? 443 : 80)),
        path: server.pathname,
        capabilities: capabilities as WebdriverIO.Capabilities,
        logLevel: 'silent',
        connectionRetryCount: 0,
        connectionRetryTimeout: options.requestTimeoutMs ?? 120_000,
      });
      logger.info({ udid: target.udid, sessionId: browser.sessionId, attempt }, 'appium session started');
      return { driver: webdriverioDriver(browser), sessionId: browser.sessionId, capabilities, attempts: attempt };
    } catch (e) {
      last = e;
      logger.warn({ udid: target.udid, attempt, err: e instanceof Error ? e.message : String(e) }, 'appium session failed');
      if (attempt < attempts) {
        await new Promise((r) => setTimeout(r, backoff));
        backoff *= 2;
      }
    }
  }
  const reason = last instanceof Error ? last.message.split('\n')[0] : String(last);
  throw new SessionStartError(`could not start an Appium session on ${target.udid} after ${attempts} attempts: ${reason}`, last, attempts);
}

type Browser = Awaited<ReturnType<typeof remote>>;

const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

function elementId(ref: Record<string, string>): string {
  return ref[ELEMENT_KEY] ?? ref.ELEMENT ?? '';
}

function webdriverioDriver(browser: Browser): UiDriver {
  return {
    pageSource: () => browser.getPageSource(),
    async screenshotPng() {
      return Buffer.from(await browser.takeScreenshot(), 'base64');
    },
    async find(locator) {
      const refs = (await browser.findElements(locator.using, locator.value)) as unknown as Record<string, string>[];
      return (Array.isArray(refs) ? refs : []).map(elementId).filter(Boolean);
    },
    click: (id) => browser.elementClick(id),
    sendKeys: (id, text) => browser.elementSendKeys(id, text),
    back: () => browser.back(),
    async pressKeyCode(keycode) {
      await browser.pressKeyCode(keycode);
    },
    async windowSize() {
      const r = await browser.getWindowRect();
      return { width: r.width, height: r.height };
    },
    async close() {
      await browser.deleteSession();
    },
  };
}

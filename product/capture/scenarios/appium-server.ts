import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ConsentryError, ToolMissingError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { PACKAGE_ROOT } from '../../core/paths.js';
import { freePort } from '../../core/free-port.js';
import { startProcess, type ManagedProcess } from '../../core/process.js';

/**
 * The Appium server a run talks to: either the project's own Appium 3 (started here, on a free
 * loopback port, with the project-local APPIUM_HOME that holds the UiAutomator2 driver), or an
 * external server or grid given by URL. Either way `stop()` leaves nothing behind.
 */
export class AppiumStartError extends ConsentryError {
  constructor(message: string, cause?: unknown) {
    super('APPIUM_START_FAILED', message, { cause, retryable: true });
  }
}

export interface AppiumStartOptions {
  /** APPIUM_HOME: where the UiAutomator2 driver is installed (config appium.home). */
  home: string;
  /** ANDROID_HOME for the driver (it finds adb in platform-tools/). */
  androidHome?: string;
  port?: number;
  host?: string;
  startTimeoutMs?: number;
  logger?: Logger;
}

export class AppiumServer {
  readonly url: URL;
  private readonly proc: ManagedProcess | undefined;

  private constructor(url: URL, proc: ManagedProcess | undefined) {
    this.url = url;
    this.proc = proc;
  }

  /** A server someone else runs (config appium.url); never stopped by us. */
  static external(url: string): AppiumServer {
    return new AppiumServer(new URL(url), undefined);
  }

  static async start(options: AppiumStartOptions): Promise<AppiumServer> {
    const logger = options.logger ?? silentLogger();
    const main = join(PACKAGE_ROOT, 'node_modules', 'appium', 'index.js');
    if (!existsSync(main)) throw new ToolMissingError('appium', 'run npm install (appium is a dependency of consentry)');
    const driver = join(options.home, 'node_modules', 'appium-uiautomator2-driver', 'package.json');
    if (!existsSync(driver)) {
      throw new ToolMissingError('the Appium UiAutomator2 driver', `not found in APPIUM_HOME=${options.home}; run tooling/scripts/setup.sh`);
    }
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? (await freePort(host));
    const env: NodeJS.ProcessEnv = { ...process.env, APPIUM_HOME: options.home };
    if (options.androidHome) {
      env.ANDROID_HOME = options.androidHome;
      env.ANDROID_SDK_ROOT = options.androidHome;
    }
    const proc = startProcess(
      process.execPath,
      [main, 'server', '--address', host, '--port', String(port), '--base-path', '/', '--log-no-colors', '--log-timestamp', '--log-level', 'info'],
      { name: `appium:${port}`, env, logger },
    );
    const url = new URL(`http://${host}:${port}/`);
    const server = new AppiumServer(url, proc);
    try {
      await waitForStatus(url, proc, options.startTimeoutMs ?? 60_000);
    } catch (e) {
      await proc.stop(2000);
      throw e;
    }
    logger.info({ url: url.href }, 'appium ready');
    return server;
  }

  get managed(): boolean {
    return this.proc !== undefined;
  }

  async stop(): Promise<void> {
    await this.proc?.stop(5000);
  }
}

async function waitForStatus(url: URL, proc: ManagedProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  let last: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new AppiumStartError(`appium exited before it was ready (exit code ${proc.child.exitCode ?? 'unknown'})`);
    try {
      const res = await fetch(new URL('status', url), { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
      last = new Error(`GET /status answered ${res.status}`);
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new AppiumStartError(`appium did not answer /status within ${timeoutMs} ms`, last);
}

/**
 * Appium's driver looks for adb under ANDROID_HOME/platform-tools. Debian installs adb in
 * /usr/bin, so a minimal SDK folder pointing at it is enough (tooling/scripts/setup.sh makes the same).
 */
export function ensureAndroidHome(dir: string, adbPath = '/usr/bin/adb'): string {
  const tools = join(dir, 'platform-tools');
  mkdirSync(tools, { recursive: true });
  const link = join(tools, 'adb');
  if (!existsSync(link)) symlinkSync(adbPath, link);
  return dir;
}

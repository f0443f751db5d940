import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Config } from '../../core/config.js';
import { ConsentryError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { builtIn, PACKAGE_ROOT } from '../../core/paths.js';
import {
  adbkitShell,
  AppiumServer,
  automationSessionLost,
  ensureAndroidHome,
  loadScenario,
  openUiSession,
  scaleObservation,
  ScenarioRunner,
  type SessionProfileOptions,
  UiSessionKeeper,
} from '../../capture/scenarios/index.js';

import { createAdbClient } from '../../capture/devices/index.js';
import type { ScenarioStage } from '../stage-interfaces.js';

/**
 * Plays a scenario through Appium: the project's own Appium server (started once per process,
 * project-local APPIUM_HOME) or a configured external one; each device's session is kept between
 * its runs (config appium.keepSessions).
 */
export function scenarioStage(config: Config, options: { logger?: Logger; waitScale?: number } = {}): ScenarioStage & { close(): Promise<void> } {
  const logger = options.logger ?? silentLogger();
  let server: Promise<AppiumServer> | undefined;
  const appium = () =>
    (server ??= config.appium.url
      ? Promise.resolve(AppiumServer.external(config.appium.url))
      : AppiumServer.start({
          home: config.appium.home,
          androidHome: process.env.ANDROID_HOME ?? ensureAndroidHome(join(PACKAGE_ROOT, '.android-sdk'), config.adb.path === 'adb' ? '/usr/bin/adb' : config.adb.path),
          startTimeoutMs: config.appium.startTimeoutMs,
          logger,
        }));
  const dirs = [...new Set([config.scenariosDir, builtIn.scenarios])];
  const sessions = new UiSessionKeeper({ keep: config.appium.keepSessions, logger });
  return {
    tools() {
      return { appium: version(join(PACKAGE_ROOT, 'node_modules', 'appium')), 'appium-uiautomator2-driver': version(join(config.appium.home, 'node_modules', 'appium-uiautomator2-driver')) };
    },
    async play(session, { packageName, installFiles, scenario, writer, observeScale, signal, progress }) {
      const definition = scaleObservation(loadScenario(scenario, dirs), observeScale);
      const serial = session.device.serial;
      const shell = adbkitShell(createAdbClient({ path: config.adb.path, host: config.adb.host, port: config.adb.port }), serial);
      const url = (await appium()).url;
      const { session: ui, reused } = await sessions.acquire(serial, () =>
        openUiSession(url, { udid: serial, adbHost: config.adb.host, adbPort: config.adb.port }, appiumOptions(session.lease.profile.appium), { logger }),
      );
      let healthy = false;
      try {
        // Which automation session drove the app: a kept one is shared by this device's runs.
        writer.addMarker({
          t: Date.now(),
          kind: 'note',
          label: reused ? `UI automation: Appium session ${ui.sessionId}, kept from this device's previous run` : `UI automation: Appium session ${ui.sessionId}, opened for this run`,
          data: { appiumSession: ui.sessionId, reused },
        });
        const runner = new ScenarioRunner({
          device: shell,
          driver: ui.driver,
          writer,
          appPackage: packageName,
          clockOffsetMs: session.device.clockOffsetMs,
          reinstall: () => session.install(installFiles, packageName),
          signal,
          logger,
          ...(progress ? { onStep: progress.onStep } : {}),
          ...(options.waitScale !== undefined ? { waitScale: options.waitScale } : {}),
        });
        const result = await runner.run(definition);
        if (result.outcome === 'failed') {
          const reason = result.reason ?? 'unknown reason';
          // A session that died under us is the device's (or Appium's) failure, not the app's:
          // the farm retries such a run on another device.
          if (automationSessionLost(result.cause)) {
            throw new ConsentryError('APPIUM_SESSION_LOST', `the UI automation session was lost during ${definition.id}: ${reason}`, { retryable: true });
          }
          throw new ConsentryError('SCENARIO_INCOMPLETE', `scenario ${definition.id} stopped: ${reason}`);
        }
        healthy = !signal.aborted;
      } finally {
        await sessions.release(serial, ui, healthy);
      }
    },
    async close() {
      await sessions.closeAll();
      const s = await server?.catch(() => undefined);
      await s?.stop();
    },
  };
}

/** A profile's `appium:` map: the options the session knows by name, the rest passed verbatim. */
function appiumOptions(map: Record<string, string | number | boolean>): SessionProfileOptions {
  const { noReset, skipServerInstallation, skipDeviceInitialization, ...extra } = map;
  return {
    ...(typeof noReset === 'boolean' ? { noReset } : {}),
    ...(typeof skipServerInstallation === 'boolean' ? { skipServerInstallation } : {}),
    ...(typeof skipDeviceInitialization === 'boolean' ? { skipDeviceInitialization } : {}),
    extra,
  };
}

function version(dir: string): string {
  try {
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The UiAutomator2-server-compatible HTTP API of the virtual device (device port 6790). */
import type { AppHost, PhoneOs } from '../contracts.js';
import type { InstrumentationDefinition } from '../os/instrumentation.js';
import type { Logger } from '../../../product/core/logger.js';
import { startUiAutomator2Server } from './server.js';

export { startUiAutomator2Server, UiAutomator2Server, UIA2_DEVICE_PORT, type UiAutomator2ServerOptions } from './server.js';
export { parseDump, toAppiumSource, type ElementNode } from './element-tree.js';
export { evaluateXPath } from './xpath.js';
export { findByUiSelector } from './ui-selector.js';

/** The component Appium's driver passes to `am instrument -w`. */
export const UIA2_INSTRUMENTATION = 'io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner';
export const UIA2_SERVER_PACKAGE = 'io.appium.uiautomator2.server';

/**
 * What `am instrument -w ... io.appium.uiautomator2.server.test/...` runs: the server stays up
 * until the instrumentation is stopped (the shell closes or the package is force-stopped).
 * Register it with the OS: `os.registerInstrumentation(UIA2_INSTRUMENTATION, uiautomator2Instrumentation(os, host))`.
 */
export function uiautomator2Instrumentation(os: PhoneOs, app: AppHost, options: { logger?: Logger } = {}): InstrumentationDefinition {
  return {
    targetPackage: UIA2_SERVER_PACKAGE,
    start: async (context) => {
      // The instrumentation (and its process) ends when Appium deletes its session.
      let sessionDeleted!: () => void;
      const finished = new Promise<void>((resolve) => (sessionDeleted = resolve));
      const stop = startUiAutomator2Server(os, app, { ...options, onSessionDeleted: () => sessionDeleted() });
      context.signal.addEventListener('abort', stop, { once: true });
      context.output('INSTRUMENTATION_STATUS: class=io.appium.uiautomator2.server.test.AppiumUiAutomator2Server');
      context.output('INSTRUMENTATION_STATUS: test=startServer');
      context.output('INSTRUMENTATION_STATUS_CODE: 1');
      return { stop, finished };
    },
  };
}

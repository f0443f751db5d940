import type { AppHost, PhoneOs } from '../contracts.js';
import type { InstrumentationDefinition } from '../os/instrumentation.js';
import { UIA2_INSTRUMENTATION, uiautomator2Instrumentation } from '../uia2/index.js';
import { VirtualAppHost, type VirtualAppHostOptions } from './app-host.js';

/** The part of the OS the app runtime plugs into (implemented by os/VirtualPhoneOs). */
export interface AppHostAttachable extends PhoneOs {
  setAppHost(host: AppHost | undefined): void;
  registerInstrumentation(component: string, definition: InstrumentationDefinition): () => void;
}

/**
 * Plugs the app runtime into a phone: apps installed from now on are played from their
 * models, and `am instrument` of Appium's UiAutomator2 server starts the HTTP server on 6790.
 * Returns the host (tests read its activity log) and a function that unplugs both.
 */
export function attachAppRuntime(os: AppHostAttachable, options: VirtualAppHostOptions = {}): { host: VirtualAppHost; detach(): void } {
  const host = new VirtualAppHost(os, options);
  os.setAppHost(host);
  // Packages installed before the runtime was attached are read now, so they are not inert.
  for (const pkg of os.listPackages()) if (!pkg.system) void host.onInstalled(pkg);
  const unregister = os.registerInstrumentation(
    UIA2_INSTRUMENTATION,
    uiautomator2Instrumentation(os, host, options.logger ? { logger: options.logger } : {}),
  );
  return {
    host,
    detach: () => {
      unregister();
      os.setAppHost(undefined);
    },
  };
}

/**
 * A launcher plugin (`startVirtualDevice({ plugins: [appRuntimePlugin()] })`). Options may
 * depend on the device, e.g. its own JavaRuntime: `appRuntimePlugin((os) => ({ javaRuntime }))`.
 */
export function appRuntimePlugin(
  options: VirtualAppHostOptions | ((os: AppHostAttachable) => VirtualAppHostOptions) = {},
): (os: AppHostAttachable) => { detach(): void } {
  return (os) => attachAppRuntime(os, typeof options === 'function' ? options(os) : options);
}

/** Instrumentation stage: Frida hooks in the app, their events in the bundle, logcat on the timeline. */
export type { InstrumentationPort, InstrumentationTarget, InstrumentedApp } from './port.js';
export { NoInstrumentation } from './port.js';
export { FridaInstrumentation, InstrumentationError, type FridaDeviceLocator, type FridaInstrumentationOptions } from './frida-instrumentation.js';
export type { EvidenceSink } from './event-recorder.js';
export type { FridaApi, FridaDevice, FridaSession, FridaScript } from './frida-api.js';
export { fridaModuleFor } from './frida-module.js';
export { loadFrida, type FridaModule } from './frida-loader.js';
export { createVirtualFrida } from './virtual-frida-client.js';
export { FRIDA_DEVICE_PORT } from '../../contracts/virtual-frida-wire.js';
export { readAgentBundle, PRIVACY_AGENT } from './agent-bundle.js';
export { loadHookCatalogue, catalogueMethods, DEFAULT_HOOK_CATALOGUE, type HookCatalogue, type CatalogueMethod } from '../../contracts/hook-catalogue.js';
export { agentConfig, AgentOptions } from '../../contracts/agent-config.js';
export { attribute, frameClass, isFrameworkClass } from './stack-attribution.js';
export { LogcatTimeline, parseLogcatLine, type LogcatLine, type TimelineSink } from './logcat-timeline.js';
export { startLogcatCapture } from './logcat-capture.js';

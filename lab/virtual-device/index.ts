/**
 * The virtual Android device: a simulated handset that real adb, adbkit, Appium and the proxy
 * talk to over the real protocols. The harness reaches it only through those protocols; this
 * surface is for starting devices (CLI, tests) and for plugging runtimes into them.
 */
export {
  serveVirtualDevices,
  startVirtualDevice,
  startVirtualFarm,
  untilSignal,
  VirtualDeviceStartError,
  type DevicePlugin,
  type ServeOptions,
  type VirtualDevice,
  type VirtualDeviceOptions,
  type VirtualFarm,
  type VirtualFarmOptions,
} from './launcher.js';
export { VirtualPhoneOs, CA_STORE_DIRS, type CommandLogEntry, type PhoneOsOptions } from './os/phone-os.js';
export { deriveIdentity, isLuhnValid, type IdentityOverrides } from './os/identity.js';
export type { InstrumentationContext, InstrumentationDefinition, RunningInstrumentation } from './os/instrumentation.js';
export { DEVICE_FEATURES } from './adb/banner.js';
export type { AppHost, DeviceIdentity, InstalledPackage, JavaRuntime, PhoneOs } from './contracts.js';

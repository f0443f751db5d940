/**
 * The device pool: the public surface of product/capture/devices.
 *
 *   openDevicePool(config)        → DevicePool wired from consentry's configuration
 *   pool.lease({serial|profile})  → DeviceLease (heartbeat, release, lost, signal)
 *   new DevicePreparer(lease)     → proxy, capture CA, frida-server, reset, clock; teardown()
 *   installApp(lease, appPackage) → install / install-multiple with validated package names
 *   EmulatorManager               → start / stop / wipe AVDs
 *   loadProfiles / matchProfile   → device profiles (product/builtin/device-profiles/*.yaml)
 */
export { type AdbDevice, type AdbServerAddress, AdbKitDevice, createAdbClient } from './adb-device.js';
export { AdbDeviceProvider, trackedDevice, type DeviceProvider, type TrackedDevice } from './device-provider.js';
export { parseDeviceState, stateHint, transportOf, type DeviceState, type TransportKind } from './device-state.js';
export {
  DeviceCommandError,
  DeviceError,
  DeviceQuarantinedError,
  EmulatorError,
  InstallError,
  LeaseLostError,
  NoDeviceAvailableError,
} from './errors.js';
export { readFacts, measureClock, type DeviceFacts, type BatteryFacts } from './facts.js';
export { checkHealth, judgeHealth, summariseHealth, type HealthCheck, type HealthReport } from './health.js';
export { type DeviceLease, type LeaseEnd, type LeaseEndReason, type ReleaseOutcome } from './lease.js';
export { LeaseClaims, leaseClaimsDirIn, type LeaseClaim } from './lease-claims.js';
export { DevicePool, type DevicePoolOptions, type DeviceStatus, type LeaseRequest } from './pool.js';
export { openDevicePool, type OpenPoolOptions } from './open-pool.js';
export { DeviceProfileSchema, type DeviceProfile, type CaMethod, type RootMethod } from './profile-schema.js';
export { loadProfiles, matchProfile, explainMatch, type LoadedProfile } from './profiles.js';
export { QuarantineStore, quarantineFileIn, type QuarantineEntry } from './quarantine.js';
export { readCaCertificate, subjectHashOld, type CaCertificate } from './ca-cert.js';
export { planCaInstall, resolveCaMethod, type CaPlan, type ResolvedCaMethod } from './ca-install.js';
export { DeviceJournal, type JournalEntry, type UndoStep } from './journal.js';
export { DevicePreparer, type CaSetup, type PreparationTarget, type ProxySetup, type TeardownReport } from './preparer.js';
export { installApp, type InstallableApp, type InstallResult, type InstallTarget } from './installer.js';
export { readDeviceIdentifiers, parseParcelString } from './identifiers.js';
export { EmulatorManager, defaultEmulatorPath, type RunningEmulator, type StartEmulatorOptions } from './emulator.js';

import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { AdbDeviceProvider } from './device-provider.js';
import { LeaseClaims, leaseClaimsDirIn } from './lease-claims.js';
import { DevicePool } from './pool.js';
import { loadProfiles } from './profiles.js';
import { QuarantineStore, quarantineFileIn } from './quarantine.js';

export interface OpenPoolOptions {
  logger?: Logger;
  /** host:port phones to `adb connect` before tracking. */
  networkDevices?: string[];
  leaseWaitMs?: number;
  offlineGraceMs?: number;
}

/**
 * A pool wired from the configuration: adb server from `adb`, profiles from
 * `devices.profilesDir`, quarantine and lease claims under the captures root. A holder must
 * heartbeat at least every `devices.heartbeatMs`; three missed beats expire the lease.
 */
export async function openDevicePool(config: Config, options: OpenPoolOptions = {}): Promise<DevicePool> {
  const profiles = loadProfiles(config.devices.profilesDir);
  const provider = new AdbDeviceProvider({
    server: { path: config.adb.path, host: config.adb.host, port: config.adb.port },
    networkDevices: [...new Set([...config.devices.network, ...(options.networkDevices ?? [])])],
    ...(options.logger ? { logger: options.logger } : {}),
  });
  return DevicePool.open({
    provider,
    profiles,
    quarantine: new QuarantineStore(quarantineFileIn(config.capturesRoot)),
    claims: new LeaseClaims(leaseClaimsDirIn(config.capturesRoot)),
    maxConsecutiveFailures: config.devices.maxConsecutiveFailures,
    heartbeatTimeoutMs: config.devices.heartbeatMs * 3,
    maxLeaseMs: config.devices.leaseTimeoutMs,
    ...(options.leaseWaitMs !== undefined ? { leaseWaitMs: options.leaseWaitMs } : {}),
    ...(options.offlineGraceMs !== undefined ? { offlineGraceMs: options.offlineGraceMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

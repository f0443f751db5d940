import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { AdbDeviceProvider } from './device-provider.js';
import { LeaseClaims, leaseClaimsDirIn } from './lease-claims.js';
import { DevicePool } from './pool.js';
import { loadProfiles } from './profiles.js';
import { QuarantineStore, deviceStateDirIn, legacyQuarantineFileIn, quarantineFileIn } from './quarantine.js';

export interface OpenPoolOptions {
  logger?: Logger;
  /** host:port phones to `adb connect` before tracking. */
  networkDevices?: string[];
  leaseWaitMs?: number;
  offlineGraceMs?: number;
}

/**
 * A pool wired from the configuration: adb server from `adb`, profiles from
 * `devices.profilesDir`, quarantine and lease claims in `stateDir` (a full capture disk must not
 * break leasing). A holder must heartbeat at least every `devices.heartbeatMs`; three missed
 * beats expire the lease.
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
    quarantine: deviceQuarantine(config),
    claims: new LeaseClaims(leaseClaimsDirIn(config.stateDir)),
    journalsDir: journalsDirIn(config.stateDir),
    maxConsecutiveFailures: config.devices.maxConsecutiveFailures,
    heartbeatTimeoutMs: config.devices.heartbeatMs * 3,
    maxLeaseMs: config.devices.leaseTimeoutMs,
    ...(options.leaseWaitMs !== undefined ? { leaseWaitMs: options.leaseWaitMs } : {}),
    ...(options.offlineGraceMs !== undefined ? { offlineGraceMs: options.offlineGraceMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

/**
 * The quarantine in stateDir. Devices quarantined when it lived under the captures root are
 * carried over once, so moving it never releases a phone nobody has looked at.
 */
export function deviceQuarantine(config: Pick<Config, 'stateDir' | 'capturesRoot'>): QuarantineStore {
  const store = new QuarantineStore(quarantineFileIn(config.stateDir));
  const legacyFile = legacyQuarantineFileIn(config.capturesRoot);
  if (legacyFile !== store.file && !existsSync(store.file) && existsSync(legacyFile)) {
    try {
      for (const entry of new QuarantineStore(legacyFile).list()) store.add(entry);
    } catch {
      /* an unreadable old file is not worth failing a lease for */
    }
  }
  return store;
}

/** The devices' undo journals, one file per device, in stateDir. */
export function journalsDirIn(stateDir: string): string {
  return join(deviceStateDirIn(stateDir), 'journals');
}

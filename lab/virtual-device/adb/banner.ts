import type { DeviceIdentity } from '../contracts.js';

/**
 * Features this device advertises in its CNXN banner (adb/transport.cpp kFeature*). Each one
 * changes what the host sends, so only implemented ones are listed:
 * - shell_v2: `adb shell` uses the v2 framing and reports exit codes;
 * - cmd: `adb install` streams through `exec:cmd package install -S`;
 * - stat_v2, ls_v2: sync STA2/LST2 and LIS2/DNT2;
 * - fixed_push_mkdir: the device creates parent directories on SEND.
 * Not listed: abb/abb_exec (binder bridge), sendrecv_v2 (compressed sync), apex, track_app.
 */
export const DEVICE_FEATURES = ['shell_v2', 'cmd', 'stat_v2', 'ls_v2', 'fixed_push_mkdir'] as const;

/** "device::ro.product.name=...;ro.product.model=...;ro.product.device=...;features=..." */
export function deviceBanner(identity: DeviceIdentity, features: readonly string[] = DEVICE_FEATURES): string {
  return `device::ro.product.name=${identity.product};ro.product.model=${identity.model};ro.product.device=${identity.device};features=${features.join(',')}`;
}

import { errorMessage } from '../../core/errors.js';
import type { AdbDevice } from './adb-device.js';
import { readFacts, type DeviceFacts } from './facts.js';
import type { DeviceProfile } from './profile-schema.js';

/** One health check: a line in `devices` and in the quarantine record. */
export interface HealthCheck {
  id: 'shell' | 'profile' | 'boot' | 'storage' | 'battery' | 'thermal' | 'clock';
  ok: boolean;
  detail: string;
}

export interface HealthReport {
  ok: boolean;
  at: number;
  checks: HealthCheck[];
  /** Absent when the shell did not answer. */
  facts?: DeviceFacts;
}

const MiB = 1024 * 1024;

/** The checks themselves, from facts already read: pure, so they are tested without a device. */
export function judgeHealth(facts: DeviceFacts, profile: DeviceProfile): HealthCheck[] {
  const t = profile.health;
  const checks: HealthCheck[] = [
    { id: 'shell', ok: true, detail: 'shell answers' },
    {
      id: 'boot',
      ok: facts.bootCompleted,
      detail: facts.bootCompleted ? 'boot completed' : 'sys.boot_completed is not 1 yet: the device is still booting',
    },
  ];
  if (facts.freeDataBytes === undefined) checks.push({ id: 'storage', ok: true, detail: '/data free space not reported' });
  else {
    const ok = facts.freeDataBytes >= t.minFreeBytes;
    checks.push({
      id: 'storage',
      ok,
      detail: `${Math.floor(facts.freeDataBytes / MiB)} MiB free on /data${ok ? '' : ` (< ${Math.floor(t.minFreeBytes / MiB)} MiB): uninstall apps or wipe the device`}`,
    });
  }
  if (facts.battery) {
    const b = facts.battery;
    const charged = b.percent >= t.minBatteryPercent || b.powered;
    const cool = b.temperatureC === undefined || b.temperatureC <= t.maxBatteryTemperatureC;
    const problems: string[] = [];
    if (!charged) problems.push(`below ${t.minBatteryPercent} % and not charging: plug it in`);
    if (!cool) problems.push(`hotter than ${t.maxBatteryTemperatureC} °C: let it cool down`);
    checks.push({
      id: 'battery',
      ok: charged && cool,
      detail: `${b.percent} %${b.powered ? ' charging' : ''}${b.temperatureC === undefined ? '' : `, ${b.temperatureC} °C`}${problems.length ? `: ${problems.join('; ')}` : ''}`,
    });
  }
  if (facts.thermalStatus !== undefined) {
    const ok = facts.thermalStatus <= t.maxThermalStatus;
    checks.push({
      id: 'thermal',
      ok,
      detail: `thermal status ${facts.thermalStatus}${ok ? '' : ` (> ${t.maxThermalStatus}): the phone throttles; let it cool down`}`,
    });
  }
  if (facts.clockOffsetMs !== undefined) {
    const skew = Math.abs(facts.clockOffsetMs);
    const fixable = profile.clock.sync && (facts.root !== 'none' || profile.root !== 'none');
    const ok = skew <= t.maxClockSkewMs || fixable;
    checks.push({
      id: 'clock',
      ok,
      detail: `clock offset ${facts.clockOffsetMs} ms${skew > t.maxClockSkewMs ? (fixable ? ' (will be set when preparing)' : `: turn on automatic time on the phone (> ${t.maxClockSkewMs} ms)`) : ''}`,
    });
  }
  return checks;
}

/**
 * Reads the facts (bounded by the shell timeout), picks the profile they match and judges them
 * against its thresholds. Never throws: a dead shell is a failed check.
 */
export async function checkHealth(
  device: AdbDevice,
  chooseProfile: (facts: DeviceFacts) => DeviceProfile | undefined,
  options: { shellTimeoutMs?: number; probeSu?: boolean } = {},
): Promise<HealthReport & { profile?: DeviceProfile }> {
  const at = Date.now();
  let facts: DeviceFacts;
  try {
    facts = await readFacts(device, { timeoutMs: options.shellTimeoutMs ?? 10_000, probeSu: options.probeSu ?? true });
  } catch (e) {
    return {
      ok: false,
      at,
      checks: [{ id: 'shell', ok: false, detail: `shell did not answer: ${errorMessage(e)}` }],
    };
  }
  const profile = chooseProfile(facts);
  if (!profile) {
    return {
      ok: false,
      at,
      facts,
      checks: [{ id: 'profile', ok: false, detail: `no device profile matches model "${facts.model}": add one to the profiles folder` }],
    };
  }
  const checks = judgeHealth(facts, profile);
  return { ok: checks.every((c) => c.ok), at, checks, facts, profile };
}

export function summariseHealth(report: HealthReport | undefined): string {
  if (!report) return 'not checked';
  if (report.ok) return 'ok';
  return report.checks
    .filter((c) => !c.ok)
    .map((c) => `${c.id}: ${c.detail}`)
    .join('; ');
}

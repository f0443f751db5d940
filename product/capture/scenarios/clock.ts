/**
 * Device clock offset. Hook events carry device time, flows and markers host time; the bundle
 * timeline is host time (schema.ts), so device times are shifted by `offsetMs = host - device`,
 * measured at lease time. Each sample brackets one device clock read between two host reads;
 * assuming the read happened at the midpoint, the error is at most half the round trip, so the
 * sample with the shortest round trip wins (the NTP idea, without its filtering).
 */

export interface ClockSample {
  /** Host time just before the device was asked. */
  hostBefore: number;
  /** Device time it reported, epoch ms. */
  device: number;
  /** Host time just after the answer arrived. */
  hostAfter: number;
}

export interface ClockOffset {
  /** host time - device time, ms. */
  offsetMs: number;
  /** Round trip of the best sample, ms. */
  rttMs: number;
  /** Worst-case error of offsetMs: half the best round trip, ms. */
  uncertaintyMs: number;
  samples: number;
}

export function offsetFromSamples(samples: ClockSample[]): ClockOffset | undefined {
  const valid = samples.filter((s) => Number.isFinite(s.device) && s.hostAfter >= s.hostBefore);
  if (valid.length === 0) return undefined;
  const best = valid.reduce((a, b) => (b.hostAfter - b.hostBefore < a.hostAfter - a.hostBefore ? b : a));
  const rtt = best.hostAfter - best.hostBefore;
  return {
    offsetMs: Math.round((best.hostBefore + best.hostAfter) / 2 - best.device),
    rttMs: rtt,
    uncertaintyMs: Math.ceil(rtt / 2),
    samples: valid.length,
  };
}

export const deviceToHost = (tDevice: number, offsetMs: number): number => tDevice + offsetMs;
export const hostToDevice = (tHost: number, offsetMs: number): number => tHost - offsetMs;

/**
 * The shell command that prints the device's epoch time. mksh (Android's /system/bin/sh) has
 * $EPOCHREALTIME (seconds.microseconds); toybox `date` prints %N (nanoseconds) on current
 * builds but has no GNU width modifiers (no %3N). All forms are printed, and the parser takes
 * the most precise one that is well-formed; whole seconds are the last resort.
 */
export const DEVICE_TIME_COMMAND = 'echo "$EPOCHREALTIME"; date +%s%N; date +%s';

/** Parses the output of DEVICE_TIME_COMMAND: epoch ms, or undefined when no form is valid. */
export function parseDeviceMillis(output: string): number | undefined {
  return parseDeviceTime(output)?.ms;
}

export function parseDeviceTime(output: string): { ms: number; precisionMs: number } | undefined {
  let seconds: number | undefined;
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.trim();
    const realtime = line.match(/^(\d{9,11})[.,](\d{1,9})$/);
    if (realtime) return { ms: Number(realtime[1]) * 1000 + Math.floor(Number(`0.${realtime[2]}`) * 1000), precisionMs: 1 };
    if (/^\d{18,20}$/.test(line)) return { ms: Number(line.slice(0, -6)), precisionMs: 1 }; // %s%N: ns
    if (/^\d{12,14}$/.test(line)) return { ms: Number(line), precisionMs: 1 };
    if (/^\d{9,11}$/.test(line)) seconds ??= Number(line) * 1000;
  }
  return seconds === undefined ? undefined : { ms: seconds, precisionMs: 1000 };
}

export interface MeasureOptions {
  samples?: number;
  now?: () => number;
}

/** Measures the offset with `samples` reads of the device clock (`readDevice` runs the shell). */
export async function measureClockOffset(
  readDevice: () => Promise<string>,
  options: MeasureOptions = {},
): Promise<ClockOffset | undefined> {
  const now = options.now ?? Date.now;
  const samples: ClockSample[] = [];
  let precision = 1;
  for (let i = 0; i < (options.samples ?? 5); i += 1) {
    const hostBefore = now();
    const out = await readDevice();
    const hostAfter = now();
    const device = parseDeviceTime(out);
    if (device === undefined) continue;
    // A whole-second clock only says the instant lies somewhere in that second: take its middle.
    samples.push({ hostBefore, device: device.ms + (device.precisionMs - 1) / 2, hostAfter });
    precision = Math.max(precision, device.precisionMs);
  }
  const offset = offsetFromSamples(samples);
  return offset && precision > 1 ? { ...offset, offsetMs: Math.round(offset.offsetMs), uncertaintyMs: offset.uncertaintyMs + precision / 2 } : offset;
}

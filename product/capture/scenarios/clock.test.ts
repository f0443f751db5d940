import { describe, expect, it } from 'vitest';
import { deviceToHost, hostToDevice, measureClockOffset, offsetFromSamples, parseDeviceMillis, parseDeviceTime } from './clock.js';

describe('device clock offset', () => {
  it('takes the sample with the shortest round trip and its midpoint', () => {
    const o = offsetFromSamples([
      { hostBefore: 10_000, device: 7_100, hostAfter: 10_400 }, // slow: midpoint 10_200
      { hostBefore: 11_000, device: 8_010, hostAfter: 11_020 }, // fast: midpoint 11_010
    ])!;
    expect(o.offsetMs).toBe(3_000);
    expect(o.rttMs).toBe(20);
    expect(o.uncertaintyMs).toBe(10);
    expect(o.samples).toBe(2);
  });

  it('puts a device event and the host flow it caused within the round-trip bound', () => {
    // Device clock 42.5 s behind; each read takes 30 ms, the device answers after 25 ms.
    const skew = -42_500;
    let host = 1_750_000_000_000;
    const now = () => host;
    const readDevice = async () => {
      host += 25;
      const device = host + skew;
      host += 5;
      return `${Math.floor(device / 1000)}.${String(device % 1000).padStart(3, '0')}123\n${device}000000\n${Math.floor(device / 1000)}\n`;
    };
    return measureClockOffset(readDevice, { samples: 3, now }).then((o) => {
      expect(o).toBeDefined();
      const eventOnDevice = 1_750_000_100_000 + skew;
      const flowOnHost = 1_750_000_100_000;
      expect(Math.abs(deviceToHost(eventOnDevice, o!.offsetMs) - flowOnHost)).toBeLessThanOrEqual(o!.uncertaintyMs);
      expect(o!.uncertaintyMs).toBeLessThan(50);
      expect(hostToDevice(deviceToHost(eventOnDevice, o!.offsetMs), o!.offsetMs)).toBe(eventOnDevice);
    });
  });

  it('parses $EPOCHREALTIME, date +%s%N and ms, falling back to whole seconds', () => {
    expect(parseDeviceMillis('1750000000.123456\n1750000000123456789\n1750000000\n')).toBe(1_750_000_000_123);
    expect(parseDeviceMillis('\n1750000000123456789\n1750000000\n')).toBe(1_750_000_000_123);
    expect(parseDeviceMillis('\n1750000000123\n')).toBe(1_750_000_000_123);
    // A date without %N support prints it literally: the whole seconds are all there is.
    expect(parseDeviceTime('\n1750000000%N\n1750000000\n')).toEqual({ ms: 1_750_000_000_000, precisionMs: 1000 });
    expect(parseDeviceMillis('/system/bin/sh: date: not found')).toBeUndefined();
    expect(offsetFromSamples([])).toBeUndefined();
  });

  it('widens the uncertainty when the device only reports whole seconds', async () => {
    let host = 1_750_000_000_400;
    const o = await measureClockOffset(
      async () => {
        host += 10;
        return `\n${Math.floor(host / 1000)}%N\n${Math.floor(host / 1000)}\n`;
      },
      { samples: 2, now: () => host },
    );
    expect(o!.uncertaintyMs).toBeGreaterThanOrEqual(500);
    expect(Math.abs(o!.offsetMs)).toBeLessThanOrEqual(o!.uncertaintyMs);
  });
});

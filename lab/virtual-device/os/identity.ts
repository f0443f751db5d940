import { createHash } from 'node:crypto';
import type { DeviceIdentity } from '../contracts.js';

/**
 * Identifiers of one virtual handset, derived from (seed, index) so that a farm's devices are
 * distinct from each other yet stable from run to run: a finding that quotes an IMEI can be
 * traced back to the device that produced it.
 */

/** What a device profile may override; everything else is derived. */
export type IdentityOverrides = Partial<Omit<DeviceIdentity, 'location'>> & {
  location?: { latitude: number; longitude: number };
};

class DigitStream {
  private counter = 0;
  private pool: Buffer = Buffer.alloc(0);
  constructor(private readonly key: string) {}

  byte(): number {
    if (this.pool.length === 0) {
      this.pool = createHash('sha256').update(`${this.key}#${this.counter++}`).digest();
    }
    const b = this.pool[0] ?? 0;
    this.pool = this.pool.subarray(1);
    return b;
  }
  digits(n: number): string {
    let s = '';
    while (s.length < n) s += String(this.byte() % 10);
    return s;
  }
  hex(n: number): string {
    let s = '';
    while (s.length < n) s += this.byte().toString(16).padStart(2, '0');
    return s.slice(0, n);
  }
}

/** ISO/IEC 7812 Luhn check digit, used by IMEI (3GPP TS 23.003 §6.2.1) and ICCID (ITU-T E.118). */
export function luhnCheckDigit(payload: string): string {
  let sum = 0;
  for (let i = 0; i < payload.length; i += 1) {
    // Double every second digit counted from the right of the payload (the check digit follows it).
    let d = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isLuhnValid(value: string): boolean {
  return /^\d+$/.test(value) && luhnCheckDigit(value.slice(0, -1)) === value.slice(-1);
}

function mac(stream: DigitStream, oui: string): string {
  return `${oui}:${stream.hex(6).match(/../g)!.join(':')}`;
}

function uuid(stream: DigitStream): string {
  const h = stream.hex(32).split('');
  h[12] = '4';
  h[16] = ((parseInt(h[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

export function deriveIdentity(index: number, seed = 'consentry', overrides: IdentityOverrides = {}): DeviceIdentity {
  const r = new DigitStream(`${seed}:${index}`);
  // TAC 35-xxxxxx (a GSMA-allocated range used by many handsets), then a 6-digit serial.
  const imeiPayload = `35${r.digits(6)}${r.digits(6)}`;
  // MCC 460 / MNC 01 (China Unicom): the default rule set is cn-miit.
  const imsi = `46001${r.digits(10)}`;
  const iccidPayload = `898601${r.digits(13)}`;
  const base: DeviceIdentity = {
    serial: `${r.hex(8).toUpperCase()}${String(index).padStart(4, '0')}`,
    // Honest about what it is: profiles match it by this model name.
    manufacturer: 'consentry',
    model: 'Consentry Virtual',
    product: 'consentry_virtual',
    device: 'cvirtual',
    apiLevel: 33,
    release: '13',
    abi: 'arm64-v8a',
    imei: imeiPayload + luhnCheckDigit(imeiPayload),
    imsi,
    iccid: iccidPayload + luhnCheckDigit(iccidPayload),
    phoneNumber: `+86131${r.digits(8)}`,
    androidId: r.hex(16),
    wifiMac: mac(r, 'a4:50:46'),
    bluetoothMac: mac(r, 'a4:50:47'),
    ssid: `Lab-WiFi-${r.digits(3)}`,
    bssid: mac(r, '48:7d:2e'),
    advertisingId: uuid(r),
    oaid: r.hex(16),
    hardwareSerial: r.hex(12).toUpperCase(),
    // Around central Beijing, a few hundred metres apart per device.
    location: { latitude: 39.9042 + index * 0.003, longitude: 116.4074 + index * 0.003 },
  };
  return { ...base, ...overrides, location: overrides.location ?? base.location };
}

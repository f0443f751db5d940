import type { DeviceIdentifiers } from '../../contracts/bundle-schema.js';
import type { AdbDevice } from './adb-device.js';

/**
 * The handset's own identifiers, read over adb where Android lets the shell user read them, so
 * the traffic scanner knows what to look for even when the app's own read was refused (an SDK
 * that cached the IMEI from an older install still sends it). Labs can add what adb cannot
 * reach (config devices.identifiers, keyed by serial).
 */
export async function readDeviceIdentifiers(device: AdbDevice, apiLevel?: number): Promise<DeviceIdentifiers> {
  const out: DeviceIdentifiers = {};
  const add = (type: keyof DeviceIdentifiers, value: string | undefined) => {
    const v = value?.trim();
    if (!v || v === 'null' || /^0+$/.test(v) || v === '02:00:00:00:00:00') return;
    out[type] = [...new Set([...(out[type] ?? []), v])];
  };
  const shell = (cmd: string) => device.shell(cmd, { timeoutMs: 10_000 }).catch(() => '');
  add('android-id', (await shell('settings get secure android_id')).split('\n')[0]);
  const level = apiLevel ?? (Number.parseInt((await shell('getprop ro.build.version.sdk')).trim(), 10) || undefined);
  for (const [type, code] of Object.entries(phoneSubInfoCodes(level)) as [SubInfoValue, number][]) {
    // Android 11+ wants a caller package (and a feature id, which may be absent); older
    // versions ignore the extra argument.
    const value = parseParcelString(await shell(`service call iphonesubinfo ${code} s16 com.android.shell`));
    if (value !== undefined && SHAPES[type].test(value)) add(type, value);
  }
  const mac = (await shell('cat /sys/class/net/wlan0/address')).trim();
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) add('mac-address', mac);
  add('serial', parseSerial(await shell('getprop ro.serialno')));
  return out;
}

type SubInfoValue = 'device-id' | 'subscriber-id' | 'sim-serial' | 'phone-number';

/**
 * What each identifier looks like. A transaction code that means another method on some OEM
 * build returns another string (a group id, a voicemail tag): the shape keeps it out rather than
 * teach the traffic scanner to look for garbage.
 */
const SHAPES: Record<SubInfoValue, RegExp> = {
  // IMEI (15 digits) or MEID (14 hex digits).
  'device-id': /^(?:\d{15}|[0-9A-Fa-f]{14})$/,
  // IMSI: MCC + MNC + MSIN, at most 15 digits.
  'subscriber-id': /^\d{6,15}$/,
  // ICCID: 18-22 digits, some SIMs pad with a trailing F.
  'sim-serial': /^89\d{16,20}[Ff]?$/,
  'phone-number': /^\+?\d{5,15}$/,
};

/**
 * IPhoneSubInfo transaction codes (FIRST_CALL_TRANSACTION + the method's position in
 * IPhoneSubInfo.aidl) of the methods that take no subscription id, by API level. Read from the
 * AIDL of each release (frameworks/base telephony/java/com/android/internal/telephony):
 * - 21 (5.0): getDeviceId 1, getSubscriberId 6, getIccSerialNumber 10, getLine1Number 12
 *   (each method followed by its …UsingSubId(long) twin; 5.1 reshuffled, so 22 reads only the IMEI).
 * - 23-28: getDeviceId(pkg) 1, then getNaiForSubscriber, getDeviceIdForPhone,
 *   getImeiForSubscriber, getDeviceSvn, getDeviceSvnUsingSubId: getSubscriberId(pkg) 7,
 *   getGroupIdLevel1 + ForSubscriber, getIccSerialNumber(pkg) 11, +ForSubscriber, getLine1Number(pkg) 13.
 * - 29: the no-subscriber getGroupIdLevel1 was being removed; no recorded AIDL confirms the codes
 *   after getDeviceId, and the shell may not read device identifiers from 29 on anyway: only 1.
 * - 30-35: getDeviceId(pkg) 1, getDeviceIdWithFeature 2, getNaiForSubscriber 3, getDeviceIdForPhone 4,
 *   getImeiForSubscriber 5, getDeviceSvn 6, getDeviceSvnUsingSubId 7, getSubscriberId(pkg) 8,
 *   getSubscriberIdWithFeature 9, getSubscriberIdForSubscriber 10, getGroupIdLevel1ForSubscriber 11,
 *   getIccSerialNumber(pkg) 12, getIccSerialNumberWithFeature 13, getIccSerialNumberForSubscriber 14,
 *   getLine1Number(pkg, feature) 15.
 * - 36+: getGroupIdLevel2ForSubscriber follows getGroupIdLevel1ForSubscriber, so the ICCID moves
 *   to 13 and the line-1 number to 16.
 * From 29 on, a shell without READ_PRIVILEGED_PHONE_STATE gets a SecurityException parcel for the
 * IMEI, IMSI and ICCID: parseParcelString gives nothing for it.
 */
export function phoneSubInfoCodes(apiLevel: number | undefined): Partial<Record<SubInfoValue, number>> {
  if (apiLevel === undefined || apiLevel < 21) return { 'device-id': 1 };
  if (apiLevel === 21) return { 'device-id': 1, 'subscriber-id': 6, 'sim-serial': 10, 'phone-number': 12 };
  if (apiLevel === 22 || apiLevel === 29) return { 'device-id': 1 };
  if (apiLevel <= 28) return { 'device-id': 1, 'subscriber-id': 7, 'sim-serial': 11, 'phone-number': 13 };
  if (apiLevel <= 35) return { 'device-id': 1, 'subscriber-id': 8, 'sim-serial': 12, 'phone-number': 15 };
  return { 'device-id': 1, 'subscriber-id': 8, 'sim-serial': 13, 'phone-number': 16 };
}

/** `getprop ro.serialno`: the bare value, or nothing when unset, "unknown" or too short to be one. */
export function parseSerial(text: string): string | undefined {
  const serial = text.replace(/\r/g, '').trim();
  if (serial.length < 6 || serial.includes('\n') || /unknown/i.test(serial) || !/^[\w.-]+$/.test(serial)) return undefined;
  return serial;
}

/**
 * The string in a `service call` reply: "Result: Parcel(\n 0x00000000: 00000000 0000000f
 * 00350033 ... '....3.5.')". Word 0 is the status (non-zero: an exception header such as a
 * SecurityException), word 1 the UTF-16 length (-1: a null string), then two UTF-16 code units
 * per little-endian 32-bit word. The quoted column is the dump's ASCII view and is ignored.
 * Anything else (an error message, a truncated dump, a length that disagrees with the words)
 * gives nothing rather than a guess.
 */
export function parseParcelString(text: string): string | undefined {
  const start = text.indexOf('Result: Parcel(');
  if (start < 0) return undefined;
  const words: number[] = [];
  for (const raw of text.slice(start + 'Result: Parcel('.length).split('\n')) {
    const line = raw.replace(/\r$/, '');
    const body = line.replace(/^\s*0x[0-9a-f]+:\s*/i, '').replace(/'.*$/, '');
    for (const w of body.trim().split(/\s+/)) if (/^[0-9a-f]{8}$/i.test(w)) words.push(parseInt(w, 16));
    // Rows end with the quoted ASCII column; the last one closes the parcel right after it.
    if (/'\)\s*$/.test(line)) break;
  }
  if (words.length < 3 || words[0] !== 0) return undefined;
  const length = words[1]!;
  if (length <= 0 || length > 256) return undefined;
  const units: number[] = [];
  for (let i = 2; i < words.length && units.length < length; i += 1) {
    const w = words[i]!;
    units.push(w & 0xffff);
    if (units.length < length) units.push(w >>> 16);
  }
  if (units.length !== length || units.some((u) => u === 0 || (u < 0x20 && u !== 0x09))) return undefined;
  return String.fromCharCode(...units);
}

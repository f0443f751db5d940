import type { DeviceIdentifiers } from '../../contracts/bundle-schema.js';
import type { AdbDevice } from './adb-device.js';

/**
 * The handset's own identifiers, read over adb where Android lets the shell user read them, so
 * the traffic scanner knows what to look for even when the app's own read was refused (an SDK
 * that cached the IMEI from an older install still sends it). Labs can add what adb cannot
 * reach (config devices.identifiers, keyed by serial).
 */
export async function readDeviceIdentifiers(device: AdbDevice): Promise<DeviceIdentifiers> {
  const out: DeviceIdentifiers = {};
  const add = (type: keyof DeviceIdentifiers, value: string | undefined) => {
    const v = value?.trim();
    if (!v || v === 'null' || /^0+$/.test(v) || v === '02:00:00:00:00:00') return;
    out[type] = [...new Set([...(out[type] ?? []), v])];
  };
  const shell = (cmd: string) => device.shell(cmd, { timeoutMs: 10_000 }).catch(() => '');
  add('android-id', (await shell('settings get secure android_id')).split('\n')[0]);
  // ITelephony/IPhoneSubInfo transaction 1 is getDeviceId (IMEI); Android 11+ wants a caller
  // package, older versions ignore the extra argument.
  add('device-id', parseParcelString(await shell('service call iphonesubinfo 1 s16 com.android.shell')));
  const mac = (await shell('cat /sys/class/net/wlan0/address')).trim();
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) add('mac-address', mac);
  const serial = (await shell('getprop ro.serialno')).trim();
  if (serial.length >= 6 && !/unknown/i.test(serial)) add('serial', serial);
  return out;
}

/**
 * The string in a `service call` reply: "Result: Parcel(\n 0x00000000: 00000000 0000000f
 * 00350033 ... '....3.5.')". Word 0 is the status, word 1 the UTF-16 length, then two UTF-16
 * code units per little-endian 32-bit word.
 */
export function parseParcelString(text: string): string | undefined {
  if (!/Result: Parcel/.test(text)) return undefined;
  const words: number[] = [];
  for (const line of text.split('\n')) {
    const body = line.replace(/^\s*0x[0-9a-f]+:\s*/i, '').replace(/'.*$/, '').replace(/^Result: Parcel\(/, '');
    for (const w of body.trim().split(/\s+/)) if (/^[0-9a-f]{8}$/i.test(w)) words.push(parseInt(w, 16));
  }
  if (words.length < 3 || words[0] !== 0) return undefined;
  const length = words[1]!;
  if (length <= 0 || length > 256) return undefined;
  let s = '';
  for (let i = 2; i < words.length && s.length < length; i += 1) {
    const w = words[i]!;
    s += String.fromCharCode(w & 0xffff);
    if (s.length < length) s += String.fromCharCode(w >>> 16);
  }
  return s.length === length ? s : undefined;
}

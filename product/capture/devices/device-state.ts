/**
 * The states `adb devices` reports, normalised, each with what a person should do about it.
 * adb prints the state after a tab; "no permissions" comes with a parenthesised explanation,
 * which we keep as `detail`.
 */
export type DeviceState =
  | 'device'
  | 'offline'
  | 'unauthorized'
  | 'authorizing'
  | 'connecting'
  | 'recovery'
  | 'rescue'
  | 'sideload'
  | 'bootloader'
  | 'no-permissions'
  | 'host'
  | 'unknown';

export type TransportKind = 'usb' | 'emulator' | 'tcp';

export interface StateInfo {
  state: DeviceState;
  /** adb's own words, when they say more than the state (e.g. the "no permissions" reason). */
  detail?: string;
}

const KNOWN: readonly DeviceState[] = [
  'device',
  'offline',
  'unauthorized',
  'authorizing',
  'connecting',
  'recovery',
  'rescue',
  'sideload',
  'bootloader',
  'host',
];

export function parseDeviceState(raw: string): StateInfo {
  const text = raw.trim();
  // adbkit reports emulators as "emulator" in its own type union; adb itself says "device".
  if (text === 'emulator') return { state: 'device' };
  if (text.startsWith('no permissions')) {
    const detail = /\((.*)\)/.exec(text)?.[1];
    return detail ? { state: 'no-permissions', detail } : { state: 'no-permissions' };
  }
  const match = KNOWN.find((s) => s === text);
  return match ? { state: match } : { state: 'unknown', detail: text };
}

const HINTS: Record<DeviceState, string> = {
  device: 'ready',
  offline:
    'adb lost contact: replug the USB cable or run "adb reconnect offline"; for an emulator wait for boot or restart it',
  unauthorized: 'accept the RSA key prompt on the phone ("Allow USB debugging"), tick "Always allow", then replug',
  authorizing: 'adb is exchanging keys with the phone: wait a few seconds; if it stays, replug and accept the prompt',
  connecting: 'adb is still connecting: wait; if it stays, check the cable or the network address',
  recovery: 'the phone is in recovery mode: reboot it to Android ("adb reboot") before it can be used',
  rescue: 'the phone is in rescue mode: reboot it to Android ("adb reboot") before it can be used',
  sideload: 'the phone is waiting for an OTA sideload: finish or cancel it, then reboot to Android',
  bootloader: 'the phone is in the bootloader: choose "Start" on the phone or run "fastboot reboot"',
  'no-permissions':
    'the host user may not open the USB device: add a udev rule for the vendor id (or add the user to plugdev) and replug',
  host: 'this entry is an adb host, not a phone',
  unknown: 'adb reports a state consentry does not know: run "adb devices -l" and check the phone',
};

const TCP_HINTS: Partial<Record<DeviceState, string>> = {
  offline:
    'the phone does not answer over the network: check it is reachable and Wireless debugging (or adb tcpip) is on, then "adb disconnect HOST:PORT" and "adb connect HOST:PORT"',
  unauthorized: 'accept the debugging prompt on the phone (Wireless debugging: pair it first with "adb pair HOST:PORT")',
};

/** What to do about a state, in one sentence for the `devices` table. */
export function stateHint(state: DeviceState, transport?: TransportKind): string {
  return (transport === 'tcp' ? TCP_HINTS[state] : undefined) ?? HINTS[state];
}

/** emulator-5554 is an emulator; host:port and mDNS wireless-debugging names are TCP; the rest is USB. */
export function transportOf(serial: string): TransportKind {
  if (/^emulator-\d+$/.test(serial)) return 'emulator';
  if (/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(serial)) return 'tcp';
  // Wireless debugging (Android 11+) found over mDNS: adb-<serial>-<id>._adb-tls-connect._tcp
  if (/\._adb-tls-connect\._tcp\.?$/.test(serial)) return 'tcp';
  return 'usb';
}

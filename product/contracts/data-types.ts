import { z } from 'zod';

/**
 * The data-type ids used everywhere: hook events name one, the traffic scanner tags hits with
 * one, the policy lexicon maps declarations onto them, rules compare them. The list follows
 * ../shared/data-types.md; the per-stage catalogues (agent hooks, traffic forms, lexicon) are
 * data files keyed by these ids.
 */
export const DATA_TYPE_IDS = [
  'device-id',
  'subscriber-id',
  'sim-serial',
  'phone-number',
  'serial',
  'android-id',
  'mac-address',
  'wifi-network',
  'ip-address',
  'network-info',
  'nearby-devices',
  'advertising-id',
  'location',
  'installed-apps',
  'running-apps',
  'clipboard',
  'contacts',
  'sms',
  'call-log',
  'calendar',
  'media',
  'accounts',
  'camera',
  'microphone',
  'motion-sensors',
  'device-model',
  'os-info',
] as const;

export const DataTypeId = z.enum(DATA_TYPE_IDS);
export type DataTypeId = z.infer<typeof DataTypeId>;

/** Identifier kinds that Google Play's Families policy forbids children's apps to transmit. */
export const FAMILIES_FORBIDDEN: readonly DataTypeId[] = [
  'advertising-id',
  'sim-serial',
  'serial',
  'wifi-network',
  'mac-address',
  'device-id',
  'subscriber-id',
];

/** Human labels used in finding sentences ("read the Android ID"). */
export const DATA_TYPE_LABELS: Record<DataTypeId, string> = {
  'device-id': 'the IMEI/MEID',
  'subscriber-id': 'the IMSI',
  'sim-serial': 'the SIM serial number (ICCID)',
  'phone-number': 'the phone number',
  serial: 'the hardware serial number',
  'android-id': 'the Android ID',
  'mac-address': 'the MAC address',
  'wifi-network': 'the Wi-Fi network (SSID/BSSID)',
  'ip-address': 'the IP address',
  'network-info': 'the network operator',
  'nearby-devices': 'nearby Bluetooth devices',
  'advertising-id': 'the advertising ID',
  location: 'the location',
  'installed-apps': 'the list of installed apps',
  'running-apps': 'the list of running apps',
  clipboard: 'the clipboard',
  contacts: 'the contacts',
  sms: 'the SMS messages',
  'call-log': 'the call log',
  calendar: 'the calendar',
  media: 'photos and media',
  accounts: 'the accounts on the device',
  camera: 'the camera',
  microphone: 'the microphone',
  'motion-sensors': 'the motion sensors',
  'device-model': 'the device model',
  'os-info': 'the OS version',
};

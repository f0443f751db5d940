import type { DataTypeId } from '../../contracts/data-types.js';

/**
 * Runtime ("dangerous") permissions: the entries of frameworks/base/core/res/AndroidManifest.xml
 * with android:protectionLevel="dangerous" (Android 15, API 35), with the API level that added
 * them and the data types they guard (ids from ../shared/data-types.md). Kept as data: a new
 * Android release adds rows here, nothing else changes. `group` is the user-facing group the
 * system dialog shows, as listed in the platform's permission-group mapping. The rows up to
 * API 29 are checked in tests against Android 10's own framework-res.apk manifest.
 */
export interface DangerousPermission {
  name: string;
  group: string;
  sinceApi: number;
  dataTypes: DataTypeId[];
}

export const DANGEROUS_PERMISSIONS: readonly DangerousPermission[] = [
  { name: 'android.permission.READ_CALENDAR', group: 'CALENDAR', sinceApi: 1, dataTypes: ['calendar'] },
  { name: 'android.permission.WRITE_CALENDAR', group: 'CALENDAR', sinceApi: 1, dataTypes: ['calendar'] },
  { name: 'android.permission.READ_CALL_LOG', group: 'CALL_LOG', sinceApi: 16, dataTypes: ['call-log'] },
  { name: 'android.permission.WRITE_CALL_LOG', group: 'CALL_LOG', sinceApi: 16, dataTypes: ['call-log'] },
  { name: 'android.permission.PROCESS_OUTGOING_CALLS', group: 'CALL_LOG', sinceApi: 1, dataTypes: ['call-log'] },
  { name: 'android.permission.CAMERA', group: 'CAMERA', sinceApi: 1, dataTypes: ['camera'] },
  { name: 'android.permission.READ_CONTACTS', group: 'CONTACTS', sinceApi: 1, dataTypes: ['contacts'] },
  { name: 'android.permission.WRITE_CONTACTS', group: 'CONTACTS', sinceApi: 1, dataTypes: ['contacts'] },
  { name: 'android.permission.GET_ACCOUNTS', group: 'CONTACTS', sinceApi: 1, dataTypes: ['accounts'] },
  { name: 'android.permission.ACCESS_FINE_LOCATION', group: 'LOCATION', sinceApi: 1, dataTypes: ['location'] },
  { name: 'android.permission.ACCESS_COARSE_LOCATION', group: 'LOCATION', sinceApi: 1, dataTypes: ['location'] },
  { name: 'android.permission.ACCESS_BACKGROUND_LOCATION', group: 'LOCATION', sinceApi: 29, dataTypes: ['location'] },
  { name: 'android.permission.RECORD_AUDIO', group: 'MICROPHONE', sinceApi: 1, dataTypes: ['microphone'] },
  {
    name: 'android.permission.READ_PHONE_STATE',
    group: 'PHONE',
    sinceApi: 1,
    dataTypes: ['device-id', 'subscriber-id', 'sim-serial', 'serial', 'network-info'],
  },
  { name: 'android.permission.READ_PHONE_NUMBERS', group: 'PHONE', sinceApi: 26, dataTypes: ['phone-number'] },
  { name: 'android.permission.CALL_PHONE', group: 'PHONE', sinceApi: 1, dataTypes: [] },
  { name: 'android.permission.ANSWER_PHONE_CALLS', group: 'PHONE', sinceApi: 26, dataTypes: [] },
  { name: 'com.android.voicemail.permission.ADD_VOICEMAIL', group: 'PHONE', sinceApi: 14, dataTypes: [] },
  { name: 'android.permission.USE_SIP', group: 'PHONE', sinceApi: 9, dataTypes: [] },
  { name: 'android.permission.ACCEPT_HANDOVER', group: 'PHONE', sinceApi: 28, dataTypes: [] },
  { name: 'android.permission.BODY_SENSORS', group: 'SENSORS', sinceApi: 20, dataTypes: [] },
  { name: 'android.permission.BODY_SENSORS_BACKGROUND', group: 'SENSORS', sinceApi: 33, dataTypes: [] },
  { name: 'android.permission.ACTIVITY_RECOGNITION', group: 'ACTIVITY_RECOGNITION', sinceApi: 29, dataTypes: ['motion-sensors'] },
  { name: 'android.permission.SEND_SMS', group: 'SMS', sinceApi: 1, dataTypes: ['sms'] },
  { name: 'android.permission.RECEIVE_SMS', group: 'SMS', sinceApi: 1, dataTypes: ['sms'] },
  { name: 'android.permission.READ_SMS', group: 'SMS', sinceApi: 1, dataTypes: ['sms'] },
  { name: 'android.permission.RECEIVE_WAP_PUSH', group: 'SMS', sinceApi: 1, dataTypes: ['sms'] },
  { name: 'android.permission.RECEIVE_MMS', group: 'SMS', sinceApi: 1, dataTypes: ['sms'] },
  { name: 'android.permission.READ_CELL_BROADCASTS', group: 'SMS', sinceApi: 29, dataTypes: ['sms'] },
  { name: 'android.permission.READ_EXTERNAL_STORAGE', group: 'STORAGE', sinceApi: 16, dataTypes: ['media'] },
  { name: 'android.permission.WRITE_EXTERNAL_STORAGE', group: 'STORAGE', sinceApi: 4, dataTypes: ['media'] },
  { name: 'android.permission.ACCESS_MEDIA_LOCATION', group: 'STORAGE', sinceApi: 29, dataTypes: ['media', 'location'] },
  { name: 'android.permission.READ_MEDIA_AUDIO', group: 'READ_MEDIA_AURAL', sinceApi: 33, dataTypes: ['media'] },
  { name: 'android.permission.READ_MEDIA_IMAGES', group: 'READ_MEDIA_VISUAL', sinceApi: 33, dataTypes: ['media'] },
  { name: 'android.permission.READ_MEDIA_VIDEO', group: 'READ_MEDIA_VISUAL', sinceApi: 33, dataTypes: ['media'] },
  {
    name: 'android.permission.READ_MEDIA_VISUAL_USER_SELECTED',
    group: 'READ_MEDIA_VISUAL',
    sinceApi: 34,
    dataTypes: ['media'],
  },
  { name: 'android.permission.BLUETOOTH_SCAN', group: 'NEARBY_DEVICES', sinceApi: 31, dataTypes: ['nearby-devices'] },
  { name: 'android.permission.BLUETOOTH_CONNECT', group: 'NEARBY_DEVICES', sinceApi: 31, dataTypes: ['nearby-devices'] },
  { name: 'android.permission.BLUETOOTH_ADVERTISE', group: 'NEARBY_DEVICES', sinceApi: 31, dataTypes: [] },
  { name: 'android.permission.UWB_RANGING', group: 'NEARBY_DEVICES', sinceApi: 31, dataTypes: ['nearby-devices'] },
  {
    name: 'android.permission.NEARBY_WIFI_DEVICES',
    group: 'NEARBY_DEVICES',
    sinceApi: 33,
    dataTypes: ['nearby-devices', 'wifi-network'],
  },
  { name: 'android.permission.POST_NOTIFICATIONS', group: 'NOTIFICATIONS', sinceApi: 33, dataTypes: [] },
];

const BY_NAME = new Map(DANGEROUS_PERMISSIONS.map((p) => [p.name, p]));

export function dangerousPermission(name: string): DangerousPermission | undefined {
  return BY_NAME.get(name);
}

export function isDangerousPermission(name: string): boolean {
  return BY_NAME.has(name);
}

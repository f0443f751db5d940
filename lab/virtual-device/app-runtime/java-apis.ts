import type { DataTypeId } from '../../../product/contracts/data-types.js';
import type { DeviceIdentity, InstalledPackage, PhoneOs } from '../contracts.js';

/**
 * The Java APIs an app model calls, per data type (classes, methods and parameter types follow
 * ../shared/data-types.md), with what the virtual handset returns or throws. The rules mirror
 * Android's: runtime permissions gate most of them, and from API 29 the non-resettable
 * identifiers throw SecurityException for ordinary apps.
 */
export interface JavaApi {
  className: string;
  method: string;
  parameterTypes: string[];
  args: (ctx: ApiContext) => unknown[];
  /** Any one of these must be granted, else SecurityException. */
  permissions?: string[];
  /** From this API level the call throws for non-privileged apps whatever the permissions. */
  restrictedFromApi?: number;
  result: (ctx: ApiContext) => unknown;
}

export interface ApiContext {
  os: PhoneOs;
  identity: DeviceIdentity;
  pkg: InstalledPackage;
  apiLevel: number;
}

/** What a Java exception looks like to the model runtime (and to hooks that see it thrown). */
export class JavaException extends Error {
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super(message);
    this.name = javaClass;
  }
}

const PHONE = ['android.permission.READ_PHONE_STATE'];
const LOCATION = ['android.permission.ACCESS_FINE_LOCATION', 'android.permission.ACCESS_COARSE_LOCATION'];
const CONTENT_QUERY = [
  'android.content.ContentResolver',
  'android.net.Uri',
  '[Ljava.lang.String;',
  'java.lang.String',
  '[Ljava.lang.String;',
  'java.lang.String',
];

function query(uri: string, permissions: string[]): JavaApi {
  return {
    className: 'android.content.ContentResolver',
    method: 'query',
    parameterTypes: CONTENT_QUERY.slice(1),
    args: () => [uri, null, null, null, null],
    permissions,
    result: () => ({ cursor: uri, count: 0 }),
  };
}

function ipv4(ctx: ApiContext): number {
  // 192.168.1.(2..254), little-endian as WifiInfo.getIpAddress returns it.
  const last = 2 + (parseInt(ctx.identity.androidId.slice(-2), 16) % 250);
  return (last << 24) | (1 << 16) | (168 << 8) | 192;
}

export const JAVA_APIS: Record<DataTypeId, JavaApi[]> = {
  'device-id': [
    {
      className: 'android.telephony.TelephonyManager',
      method: 'getImei',
      parameterTypes: [],
      args: () => [],
      permissions: PHONE,
      restrictedFromApi: 29,
      result: (c) => c.identity.imei,
    },
    {
      className: 'android.telephony.TelephonyManager',
      method: 'getDeviceId',
      parameterTypes: [],
      args: () => [],
      permissions: PHONE,
      restrictedFromApi: 29,
      result: (c) => c.identity.imei,
    },
  ],
  'subscriber-id': [
    {
      className: 'android.telephony.TelephonyManager',
      method: 'getSubscriberId',
      parameterTypes: [],
      args: () => [],
      permissions: PHONE,
      restrictedFromApi: 29,
      result: (c) => c.identity.imsi,
    },
  ],
  'sim-serial': [
    {
      className: 'android.telephony.TelephonyManager',
      method: 'getSimSerialNumber',
      parameterTypes: [],
      args: () => [],
      permissions: PHONE,
      restrictedFromApi: 29,
      result: (c) => c.identity.iccid,
    },
  ],
  'phone-number': [
    {
      className: 'android.telephony.TelephonyManager',
      method: 'getLine1Number',
      parameterTypes: [],
      args: () => [],
      permissions: [...PHONE, 'android.permission.READ_PHONE_NUMBERS', 'android.permission.READ_SMS'],
      result: (c) => c.identity.phoneNumber,
    },
  ],
  serial: [
    {
      className: 'android.os.Build',
      method: 'getSerial',
      parameterTypes: [],
      args: () => [],
      permissions: PHONE,
      restrictedFromApi: 29,
      result: (c) => c.identity.hardwareSerial,
    },
  ],
  'android-id': [
    {
      className: 'android.provider.Settings$Secure',
      method: 'getString',
      parameterTypes: ['android.content.ContentResolver', 'java.lang.String'],
      args: () => ['android.app.ContextImpl$ApplicationContentResolver', 'android_id'],
      result: (c) => c.os.getSetting('secure', 'android_id') ?? c.identity.androidId,
    },
  ],
  'mac-address': [
    {
      className: 'java.net.NetworkInterface',
      method: 'getHardwareAddress',
      parameterTypes: [],
      args: () => [],
      // Android 11 stopped returning it to apps targeting 30+; older stacks still get it.
      result: (c) => (c.apiLevel >= 30 ? null : c.identity.wifiMac),
    },
    {
      className: 'android.net.wifi.WifiInfo',
      method: 'getMacAddress',
      parameterTypes: [],
      args: () => [],
      result: () => '02:00:00:00:00:00',
    },
  ],
  'wifi-network': [
    {
      className: 'android.net.wifi.WifiInfo',
      method: 'getBSSID',
      parameterTypes: [],
      args: () => [],
      result: (c) => (hasAny(c.pkg, LOCATION) ? c.identity.bssid : '02:00:00:00:00:00'),
    },
    {
      className: 'android.net.wifi.WifiInfo',
      method: 'getSSID',
      parameterTypes: [],
      args: () => [],
      result: (c) => (hasAny(c.pkg, LOCATION) ? `"${c.identity.ssid}"` : '<unknown ssid>'),
    },
  ],
  'ip-address': [
    {
      className: 'android.net.wifi.WifiInfo',
      method: 'getIpAddress',
      parameterTypes: [],
      args: () => [],
      result: ipv4,
    },
  ],
  'network-info': [
    {
      className: 'android.telephony.TelephonyManager',
      method: 'getNetworkOperator',
      parameterTypes: [],
      args: () => [],
      result: (c) => c.identity.imsi.slice(0, 5),
    },
  ],
  'nearby-devices': [
    {
      className: 'android.bluetooth.BluetoothAdapter',
      method: 'getBondedDevices',
      parameterTypes: [],
      args: () => [],
      permissions: ['android.permission.BLUETOOTH_CONNECT', 'android.permission.BLUETOOTH'],
      result: () => [],
    },
  ],
  'advertising-id': [
    {
      className: 'com.google.android.gms.ads.identifier.AdvertisingIdClient',
      method: 'getAdvertisingIdInfo',
      parameterTypes: ['android.content.Context'],
      args: () => ['android.app.Application'],
      result: (c) => ({ id: c.identity.advertisingId, limitAdTrackingEnabled: false }),
    },
    {
      className: 'com.bun.miitmdid.interfaces.IdSupplier',
      method: 'getOAID',
      parameterTypes: [],
      args: () => [],
      result: (c) => c.identity.oaid,
    },
  ],
  location: [
    {
      className: 'android.location.LocationManager',
      method: 'getLastKnownLocation',
      parameterTypes: ['java.lang.String'],
      args: () => ['gps'],
      permissions: LOCATION,
      result: (c) => ({ provider: 'gps', latitude: c.identity.location.latitude, longitude: c.identity.location.longitude }),
    },
    {
      className: 'android.telephony.TelephonyManager',
      method: 'getAllCellInfo',
      parameterTypes: [],
      args: () => [],
      permissions: ['android.permission.ACCESS_FINE_LOCATION'],
      result: () => [],
    },
  ],
  'installed-apps': [
    {
      // The implementation class: hooks on the abstract PackageManager never fire on a phone.
      className: 'android.app.ApplicationPackageManager',
      method: 'getInstalledPackages',
      parameterTypes: ['int'],
      args: () => [0],
      result: (c) => c.os.listPackages().map((p) => p.packageName),
    },
  ],
  'running-apps': [
    {
      className: 'android.app.ActivityManager',
      method: 'getRunningAppProcesses',
      parameterTypes: [],
      args: () => [],
      result: (c) => c.os.processes().map((p) => p.name),
    },
  ],
  clipboard: [
    {
      className: 'android.content.ClipboardManager',
      method: 'getPrimaryClip',
      parameterTypes: [],
      args: () => [],
      result: () => null,
    },
  ],
  contacts: [query('content://com.android.contacts/contacts', ['android.permission.READ_CONTACTS'])],
  sms: [query('content://sms/inbox', ['android.permission.READ_SMS'])],
  'call-log': [query('content://call_log/calls', ['android.permission.READ_CALL_LOG'])],
  calendar: [query('content://com.android.calendar/events', ['android.permission.READ_CALENDAR'])],
  media: [
    query('content://media/external/images/media', [
      'android.permission.READ_EXTERNAL_STORAGE',
      'android.permission.READ_MEDIA_IMAGES',
    ]),
  ],
  accounts: [
    {
      className: 'android.accounts.AccountManager',
      method: 'getAccounts',
      parameterTypes: [],
      args: () => [],
      result: () => [],
    },
  ],
  camera: [
    {
      className: 'android.hardware.Camera',
      method: 'open',
      parameterTypes: ['int'],
      args: () => [0],
      permissions: ['android.permission.CAMERA'],
      result: () => ({ camera: 0 }),
    },
  ],
  microphone: [
    {
      className: 'android.media.AudioRecord',
      method: 'startRecording',
      parameterTypes: [],
      args: () => [],
      permissions: ['android.permission.RECORD_AUDIO'],
      result: () => null,
    },
  ],
  'motion-sensors': [
    {
      className: 'android.hardware.SensorManager',
      method: 'registerListener',
      parameterTypes: ['android.hardware.SensorEventListener', 'android.hardware.Sensor', 'int'],
      args: () => ['listener', '{Sensor name="Accelerometer", vendor="AOSP", type=1}', 3],
      result: () => true,
    },
  ],
  'device-model': [
    {
      className: 'android.os.SystemProperties',
      method: 'get',
      parameterTypes: ['java.lang.String'],
      args: () => ['ro.product.model'],
      result: (c) => c.identity.model,
    },
  ],
  'os-info': [
    {
      className: 'android.os.SystemProperties',
      method: 'get',
      parameterTypes: ['java.lang.String'],
      args: () => ['ro.build.version.release'],
      result: (c) => c.identity.release,
    },
  ],
};

/** The API for a data type: the named "Class.method" or the usual one. */
export function apiFor(dataType: DataTypeId, name?: string): JavaApi | undefined {
  const candidates = JAVA_APIS[dataType];
  if (!name) return candidates[0];
  return candidates.find((a) => `${a.className}.${a.method}` === name);
}

function hasAny(pkg: InstalledPackage, permissions: string[]): boolean {
  return permissions.some((p) => pkg.granted.has(p));
}

/** Runs the "real" API: returns the handset's value or throws as Android would. */
export function callOriginal(api: JavaApi, ctx: ApiContext): unknown {
  if (api.restrictedFromApi !== undefined && ctx.apiLevel >= api.restrictedFromApi) {
    throw new JavaException(
      'java.lang.SecurityException',
      `${api.method}: The uid ${ctx.pkg.uid} does not meet the requirements to access device identifiers.`,
    );
  }
  if (api.permissions && !hasAny(ctx.pkg, api.permissions)) {
    throw new JavaException(
      'java.lang.SecurityException',
      `uid ${ctx.pkg.uid} does not have ${api.permissions[0]}.`,
    );
  }
  return api.result(ctx);
}

/** The JavaCall shape for Activity.requestPermissions (the PERM-* rules read it). */
export const REQUEST_PERMISSIONS_API = {
  className: 'android.app.Activity',
  method: 'requestPermissions',
  parameterTypes: ['[Ljava.lang.String;', 'int'],
};


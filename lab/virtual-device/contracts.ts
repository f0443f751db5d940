import type { Duplex } from 'node:stream';

/**
 * The seams inside the virtual device, so that its parts can be built and tested apart:
 *
 *   adb transport + shell (adb/, shell/)  ──calls──▶  PhoneOs (os/)  ──calls──▶  AppHost (app-runtime/)
 *                                                                        │
 *   UiAutomator2 server (uia2/) ──reads UI from──▶ AppHost               └─▶ JavaRuntime (frida/)
 *
 * - PhoneOs: the Android system state of one handset (props, settings, packages, processes,
 *   files, logcat, device-side TCP ports, adb reverse). Implemented in os/.
 * - AppHost: plays installed apps from their behaviour models: lifecycle, screens, input,
 *   network. Implemented in app-runtime/. The OS works without one (apps are inert).
 * - JavaRuntime: every sensitive Java API call an app model makes goes through it, so that
 *   Frida-style hooks loaded by the instrumentation agent see the call. Implemented in frida/.
 *
 * Nothing outside lab/virtual-device imports these: the harness reaches the virtual device
 * only through adb, the UiAutomator2 HTTP API, the proxy and the Frida-compatible service.
 */

export interface DeviceIdentity {
  serial: string;
  manufacturer: string;
  model: string;
  product: string;
  device: string;
  apiLevel: number;
  release: string;
  abi: string;
  /** Personal identifiers this handset returns from the Android APIs (unique per device). */
  imei: string;
  imsi: string;
  iccid: string;
  phoneNumber: string;
  androidId: string;
  wifiMac: string;
  bluetoothMac: string;
  ssid: string;
  bssid: string;
  advertisingId: string;
  oaid: string;
  hardwareSerial: string;
  location: { latitude: number; longitude: number };
  /**
   * Whether the shell user holds READ_PRIVILEGED_PHONE_STATE (AOSP's Shell package requests it,
   * so `service call iphonesubinfo` answers the IMEI, IMSI and ICCID from adb). Some vendors'
   * user builds withhold it: false makes API 29+ answer those with a SecurityException parcel.
   */
  shellPrivilegedPhoneState?: boolean;
}

export interface InstalledPackage {
  packageName: string;
  versionCode: number;
  versionName: string;
  uid: number;
  /** Paths on the device of the base APK and splits. */
  apkPaths: string[];
  /** Host path of the stored APK bytes (for the app runtime to read its model). */
  hostApkPaths: string[];
  requestedPermissions: string[];
  /** Runtime permission state, as `pm grant/revoke` and the permission dialog set it. */
  granted: Set<string>;
  /** "user fixed" flags: denied with don't-ask-again. */
  userFixed: Set<string>;
  firstInstallTime: number;
  system: boolean;
  /** Activity started by `monkey -p` / launcher. */
  launchActivity?: string;
}

export interface ProcessRecord {
  pid: number;
  ppid: number;
  uid: number;
  name: string;
  /** e.g. "u0_a123" */
  user: string;
  startedAt: number;
}

export type LogPriority = 'V' | 'D' | 'I' | 'W' | 'E' | 'F';

export interface LogEntry {
  time: number;
  pid: number;
  tid: number;
  priority: LogPriority;
  tag: string;
  message: string;
  /** Buffer: main, system, events, crash. */
  buffer: 'main' | 'system' | 'events' | 'crash';
}

/** What the shell, the UiAutomator2 server and the app runtime may ask of the phone. */
export interface PhoneOs {
  readonly identity: DeviceIdentity;
  getProp(name: string): string | undefined;
  setProp(name: string, value: string): void;
  listProps(): [string, string][];
  getSetting(namespace: 'global' | 'secure' | 'system', key: string): string | undefined;
  putSetting(namespace: 'global' | 'secure' | 'system', key: string, value: string | undefined): void;
  getPackage(name: string): InstalledPackage | undefined;
  listPackages(): InstalledPackage[];
  /** CA certificates the device trusts (PEM), as installed in user/system stores. */
  trustedCaPems(): string[];
  /** Device clock (may be skewed from the host on purpose). */
  now(): number;
  log(entry: Omit<LogEntry, 'time'> & { time?: number }): void;
  startProcess(name: string, uid: number, ppid?: number): ProcessRecord;
  killProcess(pid: number): void;
  processes(): ProcessRecord[];
  /**
   * Opens a TCP connection as an app on the device would: to a device-side listener, through
   * an `adb reverse` mapping, or (for any other address) to the real network of the host.
   */
  connect(host: string, port: number): Promise<Duplex>;
  /** Registers a device-side TCP listener (UiAutomator2 server on 6790, frida on 27042...). */
  listen(port: number, onConnection: (socket: Duplex) => void): () => void;
}

/** Input events the shell (`input`) and the UiAutomator2 server deliver to the foreground app. */
export type InputEvent =
  | { kind: 'tap'; x: number; y: number }
  | { kind: 'swipe'; x1: number; y1: number; x2: number; y2: number; durationMs: number }
  | { kind: 'key'; keyCode: number }
  | { kind: 'text'; text: string };

export interface ForegroundInfo {
  packageName: string;
  activity: string;
  /** Window title shown in `dumpsys window` (mCurrentFocus). */
  windowTitle: string;
}

/** Plays installed apps. Called by the OS; implemented by the app runtime. */
export interface AppHost {
  /** After `pm install`: the runtime reads the APK (and its model) from hostApkPaths. */
  onInstalled(pkg: InstalledPackage): Promise<void>;
  onUninstalled(packageName: string): void;
  /** `am start -n`, `monkey -p`, launcher: cold or warm start. */
  launch(packageName: string, options: { activity?: string; waitForDebugger?: boolean }): Promise<void>;
  forceStop(packageName: string): void;
  clearData(packageName: string): void;
  onPermissionChanged(packageName: string, permission: string, granted: boolean): void;
  input(event: InputEvent): Promise<void>;
  /** The UI hierarchy of the whole screen, in UiAutomator's dump format. */
  uiHierarchyXml(): string;
  screenshotPng(): Buffer;
  foreground(): ForegroundInfo | undefined;
  screenSize(): { width: number; height: number; density: number };
}

/** A Java method call made by an app model, offered to the instrumentation runtime. */
export interface JavaCall {
  className: string;
  method: string;
  /** Java parameter types, e.g. ["android.content.ContentResolver", "java.lang.String"]. */
  parameterTypes: string[];
  args: unknown[];
  /** Simulated Java stack, innermost first: "com.umeng.analytics.a.b(SourceFile:12)". */
  stack: string[];
  thread: string;
  pid: number;
  packageName: string;
  /** Runtime class of the receiver when it differs from `className` (an Activity subclass for onResume). */
  receiverClass?: string;
}

/** The instrumentation seam: hooks loaded by an agent wrap `original`. */
export interface JavaRuntime {
  invoke<T>(call: JavaCall, original: () => T): T;
  /** Native side channels (libc open/openat of /sys/class/net/... and the like). */
  nativeOpen(path: string, pid: number, packageName: string, stack: string[]): void;
  /** Spawn gating: resolves when instrumentation (if any) lets the new process run. */
  processStarting(pid: number, packageName: string): Promise<void>;
  processDied(pid: number, reason: string): void;
}

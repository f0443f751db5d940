import { rootCertificates } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../../product/core/logger.js';
import { silentLogger } from '../../../product/core/logger.js';
import { errorMessage } from '../../../product/core/errors.js';
import type {
  AppHost,
  DeviceIdentity,
  ForegroundInfo,
  InputEvent,
  LogEntry,
  PhoneOs,
  ProcessRecord,
} from '../contracts.js';
import { AndroidException, unknownPackage } from './android-errors.js';
import { VirtualFs } from './filesystem.js';
import { deriveIdentity, type IdentityOverrides } from './identity.js';
import { parseComponent, type InstrumentationDefinition, type RunningInstrumentation } from './instrumentation.js';
import { LogStore } from './logcat.js';
import { DeviceNetwork } from './network.js';
import { PackageManager, type ApkInput, type InstallOptions, type PackageRecord } from './packages.js';
import { ProcessTable, type ProcessEntry } from './processes.js';
import { defaultProps } from './props.js';
import { defaultSettings, type SettingsNamespace } from './settings.js';

export interface PhoneOsOptions {
  /** Position in the farm: identifiers are derived from it. */
  index: number;
  /** Host directory for installed APK bytes. */
  storageDir: string;
  identity?: IdentityOverrides;
  identitySeed?: string;
  /** Device clock offset from the host clock (ms), to test time-dependent rules. */
  clockSkewMs?: number;
  logger?: Logger;
}

/** One command the device received (shell line, or a service such as sync:/tcp:). */
export interface CommandLogEntry {
  time: number;
  /** "shell", "exec", "sync", "tcp", "reverse", "reboot"... */
  service: string;
  command: string;
}

const LAUNCHER: ForegroundInfo = {
  packageName: 'com.google.android.apps.nexuslauncher',
  activity: 'com.google.android.apps.nexuslauncher.NexusLauncherActivity',
  windowTitle: 'com.google.android.apps.nexuslauncher/com.google.android.apps.nexuslauncher.NexusLauncherActivity',
};

/** Where CA certificates live (system store; the user store added in Settings > Security). */
export const CA_STORE_DIRS = { system: '/system/etc/security/cacerts', user: '/data/misc/user/0/cacerts-added' } as const;

/**
 * The Android system state of one virtual handset. The shell and the adb services change it;
 * the app runtime (AppHost), if one is plugged in, is told about every change that concerns
 * apps (install, launch, force-stop, permissions, input).
 */
export class VirtualPhoneOs implements PhoneOs {
  readonly identity: DeviceIdentity;
  readonly fs: VirtualFs;
  readonly packages: PackageManager;
  readonly processTable: ProcessTable;
  readonly logs = new LogStore();
  readonly network = new DeviceNetwork();
  readonly commandLog: CommandLogEntry[] = [];
  readonly logger: Logger;
  readonly bootTime: number;
  private readonly props: Map<string, string>;
  private readonly settings: Record<SettingsNamespace, Map<string, string>>;
  private readonly appOps = new Map<string, Map<string, string>>();
  private readonly instrumentations = new Map<string, InstrumentationDefinition>();
  private readonly runningInstrumentations = new Map<string, { pid: number; run: RunningInstrumentation; abort: AbortController }>();
  private host: AppHost | undefined;
  private ownForeground: ForegroundInfo = LAUNCHER;
  private screenOverride: { width?: number; height?: number; density?: number } = {};
  private skewMs: number;

  constructor(options: PhoneOsOptions) {
    this.skewMs = options.clockSkewMs ?? 0;
    this.logger = (options.logger ?? silentLogger()).child({ device: options.index });
    this.identity = deriveIdentity(options.index, options.identitySeed, options.identity);
    this.bootTime = this.now();
    this.props = defaultProps(this.identity, Math.floor(this.bootTime / 1000));
    this.settings = defaultSettings(this.identity);
    const clock = () => this.now();
    this.fs = new VirtualFs(clock);
    this.processTable = new ProcessTable(clock);
    this.packages = new PackageManager(this.fs, options.storageDir, clock);
    this.seedFiles();
    this.bootLog();
  }

  // ---- PhoneOs ---------------------------------------------------------------------------

  getProp(name: string): string | undefined {
    return this.props.get(name);
  }

  setProp(name: string, value: string): void {
    this.props.set(name, value);
  }

  listProps(): [string, string][] {
    return [...this.props.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  getSetting(namespace: SettingsNamespace, key: string): string | undefined {
    return this.settings[namespace].get(key);
  }

  putSetting(namespace: SettingsNamespace, key: string, value: string | undefined): void {
    if (value === undefined) this.settings[namespace].delete(key);
    else this.settings[namespace].set(key, value);
    this.logger.debug({ namespace, key, value }, 'setting changed');
  }

  listSettings(namespace: SettingsNamespace): [string, string][] {
    return [...this.settings[namespace].entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  getPackage(name: string): PackageRecord | undefined {
    return this.packages.get(name);
  }

  listPackages(): PackageRecord[] {
    return this.packages.list();
  }

  trustedCaPems(): string[] {
    return [...this.caStore('system'), ...this.caStore('user')];
  }

  /** PEMs of one store: the image's public roots plus files pushed to the store directory. */
  caStore(store: keyof typeof CA_STORE_DIRS): string[] {
    const dir = CA_STORE_DIRS[store];
    const pushed = this.fs.isDir(dir) ? this.fs.list(dir).map((name) => this.fs.readFile(`${dir}/${name}`).toString('utf8')) : [];
    return store === 'system' ? [...rootCertificates, ...pushed] : pushed;
  }

  now(): number {
    return Date.now() + this.skewMs;
  }

  setClockSkew(ms: number): void {
    this.skewMs = ms;
  }

  log(entry: Omit<LogEntry, 'time'> & { time?: number }): void {
    this.logs.append({ ...entry, time: entry.time ?? this.now() });
  }

  startProcess(name: string, uid: number, ppid?: number): ProcessRecord {
    return this.processTable.start(name, uid, ppid);
  }

  killProcess(pid: number): void {
    const entry = this.processTable.kill(pid);
    if (!entry) return;
    this.systemLog('I', 'ActivityManager', `Process ${entry.name} (pid ${pid}) has died: fg  TOP `);
    this.eventLog('am_proc_died', `[0,${pid},${entry.name},0,0]`);
    if (this.ownForeground.packageName === entry.name) this.ownForeground = LAUNCHER;
  }

  processes(): ProcessEntry[] {
    return this.processTable.list();
  }

  connect(host: string, port: number): Promise<Duplex> {
    return this.network.connect(host, port);
  }

  listen(port: number, onConnection: (socket: Duplex) => void): () => void {
    return this.network.listen(port, onConnection);
  }

  // ---- app host ------------------------------------------------------------------------------

  setAppHost(host: AppHost | undefined): void {
    this.host = host;
  }

  get appHost(): AppHost | undefined {
    return this.host;
  }

  foreground(): ForegroundInfo {
    return this.host?.foreground() ?? this.ownForeground;
  }

  screenSize(): { width: number; height: number; density: number } {
    const base = this.host?.screenSize() ?? { width: 1080, height: 2400, density: 420 };
    return { ...base, ...this.screenOverride };
  }

  setScreenOverride(override: { width?: number; height?: number; density?: number }): void {
    this.screenOverride = override;
  }

  async install(apks: ApkInput[], options: InstallOptions = {}): Promise<PackageRecord> {
    const pkg = await this.packages.install(apks, options);
    this.stopPackage(pkg.packageName, 'installPackageLI');
    this.systemLog('I', 'PackageManager', `Installed ${pkg.packageName} versionCode=${pkg.versionCode}`);
    await this.notifyHost('onInstalled', () => this.host?.onInstalled(pkg));
    return pkg;
  }

  async uninstall(packageName: string): Promise<PackageRecord> {
    this.stopPackage(packageName, 'uninstall pkg');
    const pkg = await this.packages.uninstall(packageName);
    this.systemLog('I', 'PackageManager', `Removed package ${packageName}`);
    await this.notifyHost('onUninstalled', () => this.host?.onUninstalled(packageName));
    return pkg;
  }

  clearData(packageName: string): void {
    this.stopPackage(packageName, 'clear data');
    this.packages.clearData(packageName);
    this.appOps.delete(packageName);
    void this.notifyHost('clearData', () => this.host?.clearData(packageName));
  }

  setPermission(packageName: string, permission: string, granted: boolean): void {
    const changed = this.packages.setPermission(packageName, permission, granted);
    // Revoking a runtime permission kills the app on Android, so it never holds a stale grant.
    if (changed && !granted) this.stopPackage(packageName, 'permissions revoked');
    if (changed) void this.notifyHost('onPermissionChanged', () => this.host?.onPermissionChanged(packageName, permission, granted));
  }

  /** `am start` / `monkey`: starts the app's process if needed and brings it to the front. */
  async launch(packageName: string, options: { activity?: string; waitForDebugger?: boolean } = {}): Promise<{ cold: boolean; activity: string }> {
    const pkg = this.packages.get(packageName);
    if (!pkg) throw unknownPackage(packageName);
    const activity = options.activity ?? pkg.launchActivity;
    if (!activity) {
      throw new AndroidException('android.content.ActivityNotFoundException', `No launchable activity in ${packageName}`);
    }
    if (options.activity && pkg.activities.length > 0 && !pkg.activities.includes(options.activity)) {
      throw new AndroidException('android.content.ActivityNotFoundException', `Activity class {${packageName}/${options.activity}} does not exist.`);
    }
    const cold = this.processTable.byName(packageName).length === 0;
    if (cold) this.startAppProcess(pkg, activity);
    this.ownForeground = { packageName, activity, windowTitle: `${packageName}/${activity}` };
    this.systemLog('I', 'ActivityTaskManager', `START u0 {act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] flg=0x10000000 cmp=${packageName}/${activity}} from uid 2000`);
    await this.notifyHost('launch', () => this.host?.launch(packageName, { activity, waitForDebugger: options.waitForDebugger }));
    return { cold, activity };
  }

  /** Starts the process an app runs in, with the log lines a real ActivityManager writes. */
  startAppProcess(pkg: PackageRecord, hostingActivity?: string): ProcessRecord {
    const proc = this.processTable.start(pkg.packageName, pkg.uid);
    const hosting = hostingActivity ? `{${pkg.packageName}/${hostingActivity}}` : '';
    this.eventLog('am_proc_start', `[0,${proc.pid},${pkg.uid},${pkg.packageName},${hostingActivity ? 'pre-top-activity' : 'service'},${hosting}]`);
    this.systemLog(
      'I',
      'ActivityManager',
      `Start proc ${proc.pid}:${pkg.packageName}/u0a${pkg.uid - 10000} for ${hostingActivity ? 'pre-top-activity' : 'service'} ${hosting}`,
    );
    return proc;
  }

  forceStop(packageName: string): void {
    if (!this.packages.get(packageName)) return;
    this.stopPackage(packageName, 'from pid 0');
    void this.notifyHost('forceStop', () => this.host?.forceStop(packageName));
  }

  async input(event: InputEvent): Promise<void> {
    // HOME and BACK change the foreground on their own when no app runtime models the screen.
    if (!this.host && event.kind === 'key' && event.keyCode === 3) this.ownForeground = LAUNCHER;
    await this.notifyHost('input', () => this.host?.input(event));
  }

  // ---- appops, instrumentation --------------------------------------------------------------

  setAppOp(packageName: string, op: string, mode: string | undefined): void {
    if (!this.packages.get(packageName)) throw unknownPackage(packageName);
    const ops = this.appOps.get(packageName) ?? new Map<string, string>();
    if (mode === undefined) ops.delete(op);
    else ops.set(op, mode);
    this.appOps.set(packageName, ops);
  }

  appOpsOf(packageName: string): Map<string, string> {
    return new Map(this.appOps.get(packageName) ?? []);
  }

  /**
   * Registers an `am instrument` target (component "pkg/runner"). Both the test package and
   * its target are made visible to the package manager, as if the lab had installed them.
   */
  registerInstrumentation(component: string, definition: InstrumentationDefinition): () => void {
    const parsed = parseComponent(component);
    if (!parsed) throw new AndroidException('java.lang.IllegalArgumentException', `Bad component name: ${component}`);
    if (!this.packages.get(definition.targetPackage)) this.packages.addPrebuilt({ packageName: definition.targetPackage });
    const test = this.packages.get(parsed.packageName) ?? this.packages.addPrebuilt({ packageName: parsed.packageName });
    if (!test.instrumentations.some((i) => i.name === parsed.className)) {
      test.instrumentations.push({ name: parsed.className, targetPackage: definition.targetPackage });
    }
    this.instrumentations.set(component, definition);
    return () => {
      if (this.instrumentations.get(component) === definition) this.instrumentations.delete(component);
    };
  }

  instrumentation(component: string): InstrumentationDefinition | undefined {
    return this.instrumentations.get(component);
  }

  /** Instrumentation entries `pm list instrumentation` shows. */
  listInstrumentations(): { component: string; targetPackage: string }[] {
    return this.packages
      .list()
      .flatMap((p) => p.instrumentations.map((i) => ({ component: `${p.packageName}/${i.name}`, targetPackage: i.targetPackage })));
  }

  trackInstrumentation(component: string, pid: number, run: RunningInstrumentation, abort: AbortController): void {
    this.runningInstrumentations.set(component, { pid, run, abort });
  }

  async finishInstrumentation(component: string): Promise<void> {
    const running = this.runningInstrumentations.get(component);
    if (!running) return;
    this.runningInstrumentations.delete(component);
    running.abort.abort();
    try {
      await running.run.stop();
    } catch (err) {
      this.logger.warn({ component, err: errorMessage(err) }, 'instrumentation stop failed');
    }
    this.killProcess(running.pid);
  }

  /** Reboot: every app process and instrumentation ends; files, packages and settings persist. */
  async reboot(): Promise<void> {
    for (const component of [...this.runningInstrumentations.keys()]) await this.finishInstrumentation(component);
    for (const pkg of this.packages.list()) if (!pkg.system) this.stopPackage(pkg.packageName, 'reboot');
    this.ownForeground = LAUNCHER;
  }

  async dispose(): Promise<void> {
    for (const component of [...this.runningInstrumentations.keys()]) await this.finishInstrumentation(component);
    await this.packages.dispose();
  }

  /** Records a command in the in-memory log (tests assert on it) and the debug log. */
  recordCommand(service: string, command: string): void {
    this.commandLog.push({ time: this.now(), service, command });
    if (this.commandLog.length > 10_000) this.commandLog.splice(0, 1000);
    this.logger.debug({ service, command }, 'device command');
  }

  systemLog(priority: LogEntry['priority'], tag: string, message: string, pid = this.systemServerPid()): void {
    this.log({ pid, tid: pid, priority, tag, message, buffer: 'system' });
  }

  // ---- private -------------------------------------------------------------------------------

  private eventLog(tag: string, message: string): void {
    const pid = this.systemServerPid();
    this.log({ pid, tid: pid, priority: 'I', tag, message, buffer: 'events' });
  }

  private systemServerPid(): number {
    return this.processTable.byName('system_server')[0]?.pid ?? 1;
  }

  private stopPackage(packageName: string, reason: string): void {
    for (const component of this.runningInstrumentations.keys()) {
      const target = this.instrumentations.get(component)?.targetPackage;
      if (target === packageName || component.startsWith(`${packageName}/`)) void this.finishInstrumentation(component);
    }
    const procs = this.processTable.byName(packageName);
    if (procs.length) this.systemLog('I', 'ActivityManager', `Force stopping ${packageName} appid=${this.packages.get(packageName)?.uid ?? 0} user=0: ${reason}`);
    for (const p of procs) this.killProcess(p.pid);
    if (this.ownForeground.packageName === packageName) this.ownForeground = LAUNCHER;
  }

  private async notifyHost(what: string, call: () => unknown): Promise<void> {
    if (!this.host) return;
    try {
      await call();
    } catch (err) {
      // The app runtime failing is the app's crash, not the OS's: log it like Android does.
      this.logger.warn({ what, err: errorMessage(err) }, 'app host failed');
      this.log({ pid: this.systemServerPid(), tid: this.systemServerPid(), priority: 'E', tag: 'AndroidRuntime', message: `FATAL EXCEPTION: main\n${errorMessage(err)}`, buffer: 'crash' });
    }
  }

  /** The first lines a freshly booted phone has in logcat. */
  private bootLog(): void {
    const zygote = this.processTable.zygote;
    this.log({ pid: zygote, tid: zygote, priority: 'I', tag: 'Zygote', message: 'Preloading classes...', buffer: 'main' });
    this.systemLog('I', 'SystemServer', 'Entered the Android system server!');
    this.systemLog('I', 'ActivityManager', 'System now ready');
    this.eventLog('boot_progress_enable_screen', String(this.bootTime % 100_000));
  }

  private seedFiles(): void {
    const id = this.identity;
    for (const dir of ['/data/local/tmp', '/storage/emulated/0/Download', '/storage/emulated/0/DCIM', '/storage/emulated/0/Android/data', '/data/app', '/data/data', '/system/bin', CA_STORE_DIRS.system, CA_STORE_DIRS.user]) {
      this.fs.mkdirp(dir, { system: true });
    }
    const sys = { system: true };
    this.fs.writeFile('/sys/class/net/wlan0/address', Buffer.from(`${id.wifiMac}\n`), sys);
    this.fs.writeFile('/proc/version', Buffer.from('Linux version 5.10.157-android13-4-00001 (build-user@build-host) #1 SMP PREEMPT\n'), sys);
    this.fs.writeFile('/proc/sys/kernel/random/boot_id', Buffer.from(`${id.advertisingId}\n`), sys);
    this.fs.writeFile('/system/build.prop', Buffer.from(this.listProps().filter(([k]) => k.startsWith('ro.')).map(([k, v]) => `${k}=${v}`).join('\n') + '\n'), sys);
  }
}

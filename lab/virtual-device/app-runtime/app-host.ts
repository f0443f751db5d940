import { silentLogger, type Logger } from '../../../product/core/logger.js';
import { errorMessage } from '../../../product/core/errors.js';
import type { AppHost, ForegroundInfo, InputEvent, InstalledPackage, JavaRuntime, LogPriority, PhoneOs } from '../contracts.js';
import type { AppModel } from '../models/schema.js';
import { readModelFromApk } from './apk-model.js';
import { activityClass, AppProcess, type ProcessHost } from './app-process.js';
import { PermissionFlow } from './permission-flow.js';
import { freshAppState, type AppActivity, type AppState } from './app-state.js';
import { renderScreenshot, type ScreenLayer } from './screenshot.js';
import { hitTest, toUiAutomatorDump, type ScreenSize, type UiNode } from './screen-layout.js';
import {
  LAUNCHER_ACTIVITY,
  LAUNCHER_PACKAGE,
  launcherHome,
  permissionControllerPackage,
} from './system-ui.js';

export const KEYCODE = { HOME: 3, BACK: 4, ENTER: 66, DEL: 67, APP_SWITCH: 187 } as const;

export interface VirtualAppHostOptions {
  javaRuntime?: JavaRuntime;
  logger?: Logger;
  screen?: ScreenSize;
  /** Models for packages whose APK embeds none ("mapped to the APK"), by manifest.package. */
  models?: AppModel[];
  networkTimeoutMs?: number;
}

const DEFAULT_SCREEN: ScreenSize = { width: 1080, height: 2400, density: 420 };
const MAX_ACTIVITY = 20_000;

/**
 * Plays installed apps from their behaviour models (the AppHost seam). Owns which window is
 * on top (an app, the permission dialog, or the launcher), routes input to it, and keeps
 * each app's persistent state across process deaths.
 */
export class VirtualAppHost implements AppHost {
  readonly activity: AppActivity[] = [];
  private readonly listeners = new Set<(a: AppActivity) => void>();
  private readonly models = new Map<string, AppModel | undefined>();
  private readonly states = new Map<string, AppState>();
  private readonly processes = new Map<string, AppProcess>();
  private top: string | undefined;
  private readonly permissions: PermissionFlow;
  private readonly screen: ScreenSize;
  private readonly logger: Logger;
  private readonly processHost: ProcessHost;

  constructor(
    readonly os: PhoneOs,
    private readonly options: VirtualAppHostOptions = {},
  ) {
    this.screen = options.screen ?? DEFAULT_SCREEN;
    this.logger = (options.logger ?? silentLogger()).child({ component: 'app-host', serial: os.identity.serial });
    this.permissions = new PermissionFlow({
      os,
      screen: this.screen,
      record: (a) => this.record(a),
      isTop: (p) => this.top === p,
      moveToBack: (p) => this.moveToBack(p),
    });
    this.processHost = {
      os,
      javaRuntime: options.javaRuntime,
      logger: this.logger,
      screen: this.screen,
      networkTimeoutMs: options.networkTimeoutMs ?? 15_000,
      apiLevel: () => os.identity.apiLevel,
      record: (a) => this.record(a),
      isForeground: (p) => this.top === p,
      requestPermissions: (proc, perms) => this.permissions.request(proc, perms),
      startPackage: (p, from) => this.startPackage(p, from),
      exitProcess: (proc, reason) => this.killApp(proc.packageName, reason, true),
      moveToBack: (proc) => this.moveToBack(proc.packageName),
    };
  }

  onActivity(listener: (a: AppActivity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The model an installed package plays (undefined: inert app). */
  modelOf(packageName: string): AppModel | undefined {
    return this.models.get(packageName);
  }

  stateOf(packageName: string): AppState | undefined {
    return this.states.get(packageName);
  }

  runningPid(packageName: string): number | undefined {
    return this.processes.get(packageName)?.pid;
  }

  /** Resolves when no app has queued work (behaviours, requests) left, or after maxMs. */
  async whenIdle(maxMs = 30_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (Date.now() < deadline && [...this.processes.values()].some((p) => p.busy)) {
      await Promise.all([...this.processes.values()].map((p) => p.idle(Math.max(0, deadline - Date.now()))));
    }
  }

  async onInstalled(pkg: InstalledPackage): Promise<void> {
    let model: AppModel | undefined;
    const apk = pkg.hostApkPaths[0];
    try {
      model = apk ? await readModelFromApk(apk) : undefined;
    } catch (err) {
      // A broken model must not take the phone down: the app installs, inert, and says why.
      this.systemLog('W', 'consentry', `ignoring the behaviour model of ${pkg.packageName}: ${errorMessage(err)}`);
      this.logger.warn({ err, pkg: pkg.packageName }, 'unreadable app model');
    }
    model ??= this.options.models?.find((m) => m.manifest.package === pkg.packageName);
    if (model && model.manifest.package !== pkg.packageName) {
      this.systemLog('W', 'consentry', `model package ${model.manifest.package} does not match ${pkg.packageName}; app is inert`);
      model = undefined;
    }
    this.killApp(pkg.packageName, 'replaced', false);
    this.models.set(pkg.packageName, model);
    if (!this.states.has(pkg.packageName)) this.states.set(pkg.packageName, freshAppState());
  }

  onUninstalled(packageName: string): void {
    this.killApp(packageName, 'uninstalled', false);
    this.models.delete(packageName);
    this.states.delete(packageName);
  }

  async launch(packageName: string, options: { activity?: string; waitForDebugger?: boolean } = {}): Promise<void> {
    const pkg = this.os.getPackage(packageName);
    if (!pkg) throw new Error(`package ${packageName} is not installed`);
    if (!this.models.has(packageName)) await this.onInstalled(pkg);
    const previous = this.top;
    const running = this.processes.get(packageName);
    if (previous && previous !== packageName) this.toBackground(previous);
    if (running) {
      this.top = packageName;
      if (previous !== packageName) {
        running.lifecycle('resume');
        this.record({ packageName, pid: running.pid, kind: 'foreground', detail: {} });
        running.fire({ type: 'foreground' }, 'activity-create');
      }
      return;
    }
    await this.coldStart(pkg, options.activity);
  }

  private async coldStart(pkg: InstalledPackage, activity: string | undefined): Promise<void> {
    const packageName = pkg.packageName;
    // The OS may already have started the process (`am start` does, before calling us).
    const rec = this.os.processes().find((p) => p.name === packageName) ?? this.startAppProcess(pkg, activity);
    const state = this.states.get(packageName) ?? freshAppState();
    this.states.set(packageName, state);
    const proc = new AppProcess(this.processHost, pkg, this.models.get(packageName), state, rec.pid);
    this.processes.set(packageName, proc);
    this.top = packageName;
    // Spawn gating: instrumentation may hold the process before Application.onCreate.
    await this.options.javaRuntime?.processStarting(rec.pid, packageName);
    if (!proc.alive) return;
    state.launchCount += 1;
    proc.lifecycle('create');
    proc.start();
    this.record({ packageName, pid: rec.pid, kind: 'launch', detail: { launchCount: state.launchCount, activity } });
    proc.fire({ type: 'launch' }, 'application-create');
    if (state.launchCount > 1 && state.consent === 'refused') proc.fire({ type: 'relaunch-after-refusal' }, 'application-create');
    if (state.launchCount > 1 && state.denied.size > 0) proc.fire({ type: 'relaunch-after-denial' }, 'application-create');
    const first = proc.topScreen();
    proc.lifecycle('resume');
    if (first) proc.fire({ type: 'screenShown', screen: first.id }, 'activity-create');
    this.systemLog('I', 'ActivityTaskManager', `Displayed ${packageName}/${shortActivity(packageName, proc.activityName())}: +412ms`);
  }

  /** Starts an app process with the log lines ActivityManager writes (launcher taps, app-started apps). */
  private startAppProcess(pkg: InstalledPackage, activity: string | undefined) {
    const rec = this.os.startProcess(pkg.packageName, pkg.uid);
    const hosting = `{${pkg.packageName}/${activity ?? activityClass(pkg.packageName, pkg.launchActivity) ?? ''}}`;
    const systemServer = this.os.processes().find((p) => p.name === 'system_server')?.pid ?? 1000;
    this.os.log({ pid: systemServer, tid: systemServer, priority: 'I', tag: 'am_proc_start', message: `[0,${rec.pid},${pkg.uid},${pkg.packageName},pre-top-activity,${hosting}]`, buffer: 'events' });
    this.systemLog('I', 'ActivityManager', `Start proc ${rec.pid}:${pkg.packageName}/u0a${pkg.uid - 10000} for pre-top-activity ${hosting}`);
    return rec;
  }

  forceStop(packageName: string): void {
    this.killApp(packageName, 'force-stop', false);
  }

  clearData(packageName: string): void {
    this.killApp(packageName, 'clear', false);
    if (this.states.has(packageName)) this.states.set(packageName, freshAppState());
  }

  onPermissionChanged(packageName: string, _permission: string, granted: boolean): void {
    // Android kills an app's process when one of its runtime permissions is revoked.
    if (!granted) this.killApp(packageName, 'permission revoked', false);
  }

  async input(event: InputEvent): Promise<void> {
    if (this.permissions.packageName !== undefined && this.top === this.permissions.packageName) {
      this.permissions.input(event);
      return;
    }
    const proc = this.top ? this.processes.get(this.top) : undefined;
    if (!proc) {
      if (event.kind === 'tap') {
        const hit = hitTest(this.launcherTree(), event.x, event.y);
        const target = hit && this.os.listPackages().find((p) => this.labelOf(p.packageName) === hit.text);
        if (target) await this.launch(target.packageName);
      }
      return;
    }
    switch (event.kind) {
      case 'tap':
        proc.tap(event.x, event.y);
        break;
      case 'text':
        proc.typeText(event.text);
        break;
      case 'key':
        if (event.keyCode === KEYCODE.BACK) proc.back();
        else if (event.keyCode === KEYCODE.HOME || event.keyCode === KEYCODE.APP_SWITCH) this.moveToBack(proc.packageName);
        else if (event.keyCode === KEYCODE.DEL) proc.deleteChar();
        break;
      case 'swipe':
        break;
    }
  }

  uiHierarchyXml(): string {
    return toUiAutomatorDump(this.currentTree());
  }

  /** The laid-out tree of the window on top. */
  currentTree(): UiNode {
    const dialogTree = this.permissions.tree();
    if (dialogTree) return dialogTree;
    const proc = this.top ? this.processes.get(this.top) : undefined;
    return proc ? proc.uiTree() : this.launcherTree();
  }

  screenshotPng(): Buffer {
    const layers: ScreenLayer[] = [];
    const proc = this.top ? this.processes.get(this.top) : undefined;
    if (proc) layers.push({ root: proc.uiTree(), modal: proc.isModal() });
    else layers.push({ root: this.launcherTree(), modal: false });
    const dialogTree = this.permissions.tree();
    if (dialogTree) layers.push({ root: dialogTree, modal: true });
    return renderScreenshot(this.screen, layers);
  }

  foreground(): ForegroundInfo | undefined {
    if (this.permissions.packageName !== undefined && this.top === this.permissions.packageName) {
      const pkg = permissionControllerPackage(this.os.identity.apiLevel);
      const activity = `${pkg}.permission.ui.GrantPermissionsActivity`;
      return { packageName: pkg, activity, windowTitle: `${pkg}/${activity}` };
    }
    const proc = this.top ? this.processes.get(this.top) : undefined;
    if (!proc) return { packageName: LAUNCHER_PACKAGE, activity: LAUNCHER_ACTIVITY, windowTitle: `${LAUNCHER_PACKAGE}/${LAUNCHER_ACTIVITY}` };
    const activity = proc.activityName();
    return { packageName: proc.packageName, activity, windowTitle: `${proc.packageName}/${activity}` };
  }

  screenSize(): { width: number; height: number; density: number } {
    return { ...this.screen };
  }

  // ---- internals -------------------------------------------------------------------------

  private record(a: Omit<AppActivity, 'time'>): void {
    const entry: AppActivity = { ...a, time: this.os.now() };
    this.activity.push(entry);
    if (this.activity.length > MAX_ACTIVITY) this.activity.splice(0, this.activity.length - MAX_ACTIVITY);
    for (const l of this.listeners) {
      try {
        l(entry);
      } catch (err) {
        this.logger.warn({ err }, 'activity listener failed');
      }
    }
  }

  private systemLog(priority: LogPriority, tag: string, message: string): void {
    const systemServer = this.os.processes().find((p) => p.name === 'system_server');
    const pid = systemServer?.pid ?? 1000;
    this.os.log({ pid, tid: pid, priority, tag, message, buffer: 'system' });
  }

  private labelOf(packageName: string): string {
    return this.models.get(packageName)?.manifest.label ?? packageName;
  }

  private launcherTree(): UiNode {
    const apps = this.os
      .listPackages()
      .filter((p) => !p.system && p.launchActivity !== undefined)
      .map((p) => ({ packageName: p.packageName, label: this.labelOf(p.packageName) }));
    return launcherHome(this.screen, apps);
  }

  private toBackground(packageName: string): void {
    const proc = this.processes.get(packageName);
    if (this.permissions.packageName === packageName) this.permissions.finish(true);
    if (this.top === packageName) this.top = undefined;
    if (proc) {
      proc.lifecycle('pause');
      this.record({ packageName, pid: proc.pid, kind: 'background', detail: {} });
      proc.fire({ type: 'background' }, 'activity-create');
    }
  }

  private moveToBack(packageName: string): void {
    if (this.top === packageName) this.toBackground(packageName);
  }

  private killApp(packageName: string, reason: string, byApp: boolean): void {
    const proc = this.processes.get(packageName);
    this.permissions.drop(packageName);
    if (this.top === packageName) this.top = undefined;
    if (!proc) return;
    proc.kill();
    this.processes.delete(packageName);
    if (byApp) this.record({ packageName, pid: proc.pid, kind: 'exit', detail: { reason } });
    this.systemLog('I', 'ActivityManager', `Process ${packageName} (pid ${proc.pid}) has died: ${byApp ? 'fg  TOP' : reason}`);
    this.os.killProcess(proc.pid);
    this.options.javaRuntime?.processDied(proc.pid, reason);
  }

  private async startPackage(packageName: string, from: AppProcess): Promise<void> {
    const target = this.os.getPackage(packageName);
    this.record({ packageName: from.packageName, pid: from.pid, kind: 'start-package', detail: { target: packageName, found: !!target } });
    if (!target) {
      this.systemLog('W', 'ActivityTaskManager', `Unable to find app for caller ${from.packageName}: no activity for package ${packageName}`);
      return;
    }
    const launcher = this.models.get(packageName)?.manifest.activities.find((a) => a.launcher)?.name;
    const cmp = `${packageName}/${launcher ?? activityClass(packageName, target.launchActivity) ?? `${packageName}.MainActivity`}`;
    this.systemLog('I', 'ActivityTaskManager', `START u0 {act=android.intent.action.MAIN flg=0x10000000 cmp=${cmp}} from uid ${from.pkg.uid}`);
    await this.launch(packageName);
  }
}

function shortActivity(packageName: string, activity: string): string {
  return activity.startsWith(`${packageName}.`) ? activity.slice(packageName.length) : activity;
}

export function createVirtualAppHost(os: PhoneOs, options: VirtualAppHostOptions = {}): VirtualAppHost {
  return new VirtualAppHost(os, options);
}

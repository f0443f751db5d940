import type { Logger } from '../../../product/core/logger.js';
import type { InstalledPackage, JavaCall, JavaRuntime, LogPriority, PhoneOs } from '../contracts.js';
import type { Action, AppModel, Behaviour, Condition, HttpRequestSpec, Screen, Trigger } from '../models/schema.js';
import type { AppActivity, AppState } from './app-state.js';
import { apiFor, callOriginal, JavaException, REQUEST_PERMISSIONS_API } from './java-apis.js';
import { sendAppRequest } from './network.js';
import { activityLifecycleFrames, buildStack, type EntryPoint } from './stacks.js';
import { renderRequest } from './templates.js';
import { ScreenStack } from './screen-stack.js';
import type { ScreenSize, UiNode } from './screen-layout.js';

/** What a running app may ask of the host that runs it (the rest of the phone). */
export interface ProcessHost {
  readonly os: PhoneOs;
  readonly javaRuntime: JavaRuntime | undefined;
  readonly logger: Logger;
  readonly screen: ScreenSize;
  readonly networkTimeoutMs: number;
  apiLevel(): number;
  record(activity: Omit<AppActivity, 'time'>): void;
  isForeground(packageName: string): boolean;
  requestPermissions(proc: AppProcess, permissions: string[]): void;
  startPackage(packageName: string, from: AppProcess): Promise<void>;
  exitProcess(proc: AppProcess, reason: string): void;
  moveToBack(proc: AppProcess): void;
}

export type AppEvent =
  | { type: 'launch' | 'consent-accepted' | 'consent-refused' | 'relaunch-after-refusal' | 'relaunch-after-denial' | 'foreground' | 'background' }
  | { type: 'permissionGranted' | 'permissionDenied'; permission: string }
  | { type: 'screenShown'; screen: string }
  | { type: 'tap'; id: string };


function triggerMatches(on: Trigger, event: AppEvent): boolean {
  if (typeof on === 'string') return on === event.type;
  if ('permissionGranted' in on) return event.type === 'permissionGranted' && event.permission === on.permissionGranted;
  if ('permissionDenied' in on) return event.type === 'permissionDenied' && event.permission === on.permissionDenied;
  if ('screenShown' in on) return event.type === 'screenShown' && event.screen === on.screenShown;
  if ('tap' in on) return event.type === 'tap' && event.id === on.tap;
  return false;
}

/**
 * One running app process: its screen stack, main-thread queue, network queue and timers.
 * Behaviours run in model order on the main queue (as on the UI thread); requests go to a
 * separate queue so a slow server does not freeze the UI, as with OkHttp's dispatcher.
 */
export class AppProcess {
  alive = true;
  private readonly screens: ScreenStack;
  private readonly timers: NodeJS.Timeout[] = [];
  private main: Promise<void> = Promise.resolve();
  private network: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(
    readonly host: ProcessHost,
    readonly pkg: InstalledPackage,
    readonly model: AppModel | undefined,
    readonly state: AppState,
    readonly pid: number,
  ) {
    this.screens = new ScreenStack(pkg.packageName, host.screen);
  }

  get packageName(): string {
    return this.pkg.packageName;
  }

  get label(): string {
    return this.model?.manifest.label ?? this.pkg.packageName;
  }

  /** Shows the first screen and starts the periodic behaviours. */
  start(): void {
    const first = this.model?.screens.find((s) => s.id === this.model?.startScreen) ?? this.model?.screens[0];
    if (first) this.screens.push(first);
    for (const behaviour of this.model?.behaviours ?? []) {
      const on = behaviour.on;
      if (typeof on !== 'object' || !('every' in on)) continue;
      const timer = setInterval(() => {
        if (!this.alive) return;
        const fg = this.host.isForeground(this.packageName);
        if ((on.while === 'foreground' && !fg) || (on.while === 'background' && fg)) return;
        if (!this.conditionHolds(behaviour.when)) return;
        this.enqueue(behaviour.do, 'timer', behaviour.thread ?? 'pool-2-thread-1');
      }, on.every * 1000);
      timer.unref();
      this.timers.push(timer);
    }
  }

  kill(): void {
    this.alive = false;
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  /** Resolves when the main and network queues are empty (tests and scenario steps wait on it). */
  async idle(maxMs = 30_000): Promise<void> {
    const deadline = Date.now() + maxMs;
    while (this.pending > 0 && Date.now() < deadline) {
      await Promise.race([Promise.all([this.main, this.network]), sleep(50)]);
    }
  }

  get busy(): boolean {
    return this.pending > 0;
  }

  topScreen(): Screen | undefined {
    return this.screens.top();
  }

  topScreenSeq(): number {
    return this.screens.topSeq();
  }

  activityName(): string {
    const screen = this.topScreen();
    const launcher = this.model?.manifest.activities.find((a) => a.launcher) ?? this.model?.manifest.activities[0];
    return screen?.activity ?? launcher?.name ?? activityClass(this.packageName, this.pkg.launchActivity) ?? `${this.packageName}.MainActivity`;
  }

  fire(event: AppEvent, entry: EntryPoint): void {
    for (const behaviour of this.model?.behaviours ?? []) {
      if (triggerMatches(behaviour.on, event) && this.conditionHolds(behaviour.when)) {
        this.enqueue(behaviour.do, entry, behaviour.thread ?? (entry === 'timer' ? 'pool-2-thread-1' : 'main'));
      }
    }
  }

  private conditionHolds(when: Condition | undefined): boolean {
    if (!when) return true;
    if (when.consent && when.consent !== this.state.consent) return false;
    if (when.granted && !this.pkg.granted.has(when.granted)) return false;
    if (when.notGranted && this.pkg.granted.has(when.notGranted)) return false;
    if (when.denied && !this.state.denied.has(when.denied)) return false;
    if (when.firstLaunch !== undefined && when.firstLaunch !== (this.state.launchCount <= 1)) return false;
    return true;
  }

  enqueue(actions: Action[], entry: EntryPoint, thread: string): void {
    this.pending += 1;
    this.main = this.main
      .then(async () => {
        for (const action of actions) {
          if (!this.alive) return;
          await this.run(action, entry, thread);
        }
      })
      .catch((err: unknown) => this.host.logger.error({ err, pkg: this.packageName }, 'app behaviour failed'))
      .finally(() => {
        this.pending -= 1;
      });
  }

  private async run(action: Action, entry: EntryPoint, thread: string): Promise<void> {
    if ('call' in action) {
      for (let i = 0; i < action.times; i += 1) this.callApi(action.call, action.by, entry, thread, action.api);
    } else if ('send' in action) {
      this.queueRequest(action.send, 'request');
    } else if ('download' in action) {
      this.queueRequest(
        { method: 'GET', url: action.download.url, headers: { Accept: 'application/vnd.android.package-archive' }, gzip: false, by: action.download.by },
        'download',
      );
    } else if ('requestPermissions' in action) {
      this.javaCall(
        { ...REQUEST_PERMISSIONS_API, args: [action.requestPermissions, 1001] },
        action.by,
        entry,
        thread,
        () => undefined,
      );
      this.host.record({ packageName: this.packageName, pid: this.pid, kind: 'permission-request', detail: { permissions: action.requestPermissions, by: action.by } });
      this.host.requestPermissions(this, action.requestPermissions);
    } else if ('show' in action) {
      this.show(action.show);
    } else if ('dismiss' in action) {
      this.popScreen();
    } else if ('consent' in action) {
      this.state.consent = action.consent;
      this.host.record({ packageName: this.packageName, pid: this.pid, kind: 'consent', detail: { consent: action.consent } });
      this.fire({ type: action.consent === 'accepted' ? 'consent-accepted' : 'consent-refused' }, 'click');
    } else if ('exit' in action) {
      this.host.exitProcess(this, 'exit');
    } else if ('startPackage' in action) {
      await this.host.startPackage(action.startPackage, this);
    } else if ('registerSensor' in action) {
      this.callApi('motion-sensors', action.by, entry, thread);
      this.host.record({ packageName: this.packageName, pid: this.pid, kind: 'sensor', detail: { sensor: action.registerSensor, by: action.by } });
    } else if ('nativeOpen' in action) {
      const stack = buildStack({ model: this.model, packageName: this.packageName, caller: action.by, entry });
      this.host.javaRuntime?.nativeOpen(action.nativeOpen, this.pid, this.packageName, stack);
      this.host.record({ packageName: this.packageName, pid: this.pid, kind: 'native-open', detail: { path: action.nativeOpen, by: action.by } });
    } else if ('wait' in action) {
      const until = Date.now() + action.wait * 1000;
      while (this.alive && Date.now() < until) await sleep(Math.min(100, until - Date.now()));
    } else if ('log' in action) {
      this.log('I', action.tag ?? this.label.slice(0, 23), action.log);
    }
  }

  /**
   * Lifecycle callbacks the instrumentation hooks to tell foreground from background:
   * Application.onCreate once per process, Activity.onResume/onPause on each switch.
   */
  lifecycle(event: 'create' | 'resume' | 'pause'): void {
    const activity = this.activityName();
    const receiver = event === 'create' ? (this.model?.manifest.application ?? 'android.app.Application') : activity;
    const method = event === 'create' ? 'onCreate' : event === 'resume' ? 'onResume' : 'onPause';
    const framework =
      event === 'create'
        ? buildStack({ model: this.model, packageName: this.packageName, caller: 'app', entry: 'application-create' }).slice(1)
        : activityLifecycleFrames(event);
    const call: JavaCall = {
      className: event === 'create' ? 'android.app.Application' : 'android.app.Activity',
      method,
      parameterTypes: [],
      args: [],
      stack: [`${receiver}.${method}(${receiver.slice(receiver.lastIndexOf('.') + 1)}.java:42)`, ...framework],
      thread: 'main',
      pid: this.pid,
      packageName: this.packageName,
      receiverClass: receiver,
    };
    const runtime = this.host.javaRuntime;
    if (runtime) runtime.invoke(call, () => undefined);
  }

  log(priority: LogPriority, tag: string, message: string, tid = this.pid): void {
    this.host.os.log({ pid: this.pid, tid, priority, tag, message, buffer: 'main' });
  }

  private javaCall(
    api: { className: string; method: string; parameterTypes: string[]; args: unknown[] },
    caller: string,
    entry: EntryPoint,
    thread: string,
    original: () => unknown,
  ): { value?: unknown; error?: JavaException } {
    const call: JavaCall = {
      className: api.className,
      method: api.method,
      parameterTypes: api.parameterTypes,
      args: api.args,
      stack: buildStack({ model: this.model, packageName: this.packageName, caller, entry, api }),
      thread,
      pid: this.pid,
      packageName: this.packageName,
    };
    try {
      const runtime = this.host.javaRuntime;
      const value = runtime ? runtime.invoke(call, original) : original();
      return { value };
    } catch (err) {
      if (err instanceof JavaException) return { error: err };
      throw err;
    }
  }

  private callApi(dataType: Parameters<typeof apiFor>[0], caller: string, entry: EntryPoint, thread: string, name?: string): void {
    const api = apiFor(dataType, name);
    if (!api) {
      this.log('W', 'consentry', `model asks for unknown API ${name ?? ''} of ${dataType}`);
      return;
    }
    const ctx = { os: this.host.os, identity: this.host.os.identity, pkg: this.pkg, apiLevel: this.host.apiLevel() };
    const outcome = this.javaCall(
      { className: api.className, method: api.method, parameterTypes: api.parameterTypes, args: api.args(ctx) },
      caller,
      entry,
      thread,
      () => callOriginal(api, ctx),
    );
    if (outcome.error) {
      // Apps (and SDKs) catch and log it; an attempt is still an attempt.
      this.log('W', 'System.err', `${outcome.error.javaClass}: ${outcome.error.message}`);
    }
    this.host.record({
      packageName: this.packageName,
      pid: this.pid,
      kind: 'call',
      detail: { dataType, api: `${api.className}.${api.method}`, by: caller, threw: outcome.error?.javaClass },
    });
  }

  private queueRequest(spec: HttpRequestSpec, kind: 'request' | 'download'): void {
    const os = this.host.os;
    const { url, headers, body } = renderRequest(spec, {
      identity: os.identity,
      androidId: os.getSetting('secure', 'android_id') ?? os.identity.androidId,
      packageName: this.packageName,
      versionName: this.pkg.versionName,
      now: os.now(),
    });
    this.pending += 1;
    this.network = this.network
      .then(async () => {
        if (!this.alive) return;
        const outcome = await sendAppRequest(
          os,
          { method: spec.method, url, headers, ...(body ? { body } : {}) },
          { pins: this.model?.network.pins ?? [], timeoutMs: this.host.networkTimeoutMs },
        );
        if (outcome.error) this.log('W', 'System.err', outcome.error);
        else this.log('D', 'OkHttp', `<-- ${outcome.status} ${url}`);
        this.host.record({
          packageName: this.packageName,
          pid: this.pid,
          kind,
          detail: { method: spec.method, url, by: spec.by, status: outcome.status, error: outcome.error, via: outcome.via },
        });
      })
      .catch((err: unknown) => this.host.logger.error({ err, pkg: this.packageName }, 'app request failed'))
      .finally(() => {
        this.pending -= 1;
      });
  }

  show(screenId: string): void {
    const screen = this.model?.screens.find((s) => s.id === screenId);
    if (!screen) return;
    this.screens.push(screen);
    this.host.record({ packageName: this.packageName, pid: this.pid, kind: 'screen', detail: { screen: screenId } });
    this.fire({ type: 'screenShown', screen: screenId }, 'activity-create');
  }

  private popScreen(): void {
    if (this.screens.pop()) {
      const top = this.topScreen();
      if (top) this.host.record({ packageName: this.packageName, pid: this.pid, kind: 'screen', detail: { screen: top.id } });
    } else {
      this.host.moveToBack(this);
    }
  }

  uiTree(): UiNode {
    return this.screens.tree();
  }

  isModal(): boolean {
    return this.screens.isModal();
  }

  tap(x: number, y: number): void {
    const id = this.screens.tap(x, y);
    if (id) this.fire({ type: 'tap', id }, 'click');
  }

  typeText(text: string): void {
    this.screens.typeText(text);
  }

  deleteChar(): void {
    this.screens.deleteChar();
  }

  back(): void {
    const screen = this.topScreen();
    if (screen?.onBack === 'ignore') return;
    if (Array.isArray(screen?.onBack)) {
      this.enqueue(screen.onBack, 'click', 'main');
      return;
    }
    this.popScreen();
  }
}

/** "pkg/.Main" or "pkg/a.b.Main" (a component) or a class name → the activity class. */
export function activityClass(packageName: string, component: string | undefined): string | undefined {
  if (!component) return undefined;
  const name = component.includes('/') ? component.slice(component.indexOf('/') + 1) : component;
  return name.startsWith('.') ? `${packageName}${name}` : name;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

export type { Behaviour };

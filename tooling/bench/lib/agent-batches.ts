// The agent's own stack interner and wire types: the messages are what the real agent sends.
import type { AgentEvent, AgentMessage } from '../../../product/contracts/agent-protocol.js';
import { StackInterner } from '../../agents/src/lib/stack-interner.js';
import { AgentOptions } from '../../../product/contracts/agent-config.js';
// The project's one seeded generator (mulberry32), shared with the traffic test corpora.
import { prng as seededRandom } from '../../../product/capture/traffic/test-support/synthetic-traffic.js';

/**
 * Realistic agent traffic for the ingestion benchmark: `events` messages as the Frida agent
 * sends them (tooling/agents/src/lib/emitter.ts batches up to 200 events, stack-interner.ts interns
 * their stacks with the default table bounds), with ~15-frame Java stacks that attribute to
 * catalogued SDKs, to the app, to unknown libraries and to the system, the arguments and
 * return values the real hooks record, and a few lifecycle events.
 *
 * Seeded, so two processes given the same seed produce the same bytes (the consentry run and
 * the peer run must ingest the same events).
 */

export const APP_PACKAGE = 'com.example.weather';
export const APP_PID = 4242;
export const BATCH_EVENTS = 200;
/** Batches generated up front and replayed (12,800 events, ≈10 MB of message text with interning). */
export const RING_BATCHES = 64;

interface Hook {
  dataType: AgentEvent['dataType'];
  api: string;
  overload?: string;
  args: (r: () => number) => string[];
  ret: (r: () => number) => string | undefined;
}

const hex = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const digits = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 10)).join('');
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const INSTALLED = ['com.tencent.mm', 'com.eg.android.AlipayGphone', 'com.sina.weibo', 'com.ss.android.ugc.aweme', 'com.taobao.taobao', 'com.jingdong.app.mall', 'tv.danmaku.bili'];

const HOOKS: readonly Hook[] = [
  { dataType: 'android-id', api: 'android.provider.Settings$Secure.getString', overload: 'android.content.ContentResolver,java.lang.String', args: (r) => [`android.app.ContextImpl$ApplicationContentResolver@${hex(r, 7)}`, 'android_id'], ret: (r) => hex(r, 16) },
  { dataType: 'device-id', api: 'android.telephony.TelephonyManager.getImei', overload: '', args: () => [], ret: (r) => `86${digits(r, 13)}` },
  { dataType: 'subscriber-id', api: 'android.telephony.TelephonyManager.getSubscriberId', overload: '', args: () => [], ret: (r) => `46000${digits(r, 10)}` },
  { dataType: 'location', api: 'android.location.LocationManager.getLastKnownLocation', overload: 'java.lang.String', args: () => ['gps'], ret: (r) => `Location[gps 39.${digits(r, 6)},116.${digits(r, 6)} hAcc=12.0 et=+3d2h1m ${digits(r, 2)}s alt=43.0 vel=0.0 {Bundle[mParcelledData.dataSize=96]}]` },
  { dataType: 'wifi-network', api: 'android.net.wifi.WifiInfo.getBSSID', args: () => [], ret: (r) => `3c:5a:b4:${hex(r, 2)}:${hex(r, 2)}:${hex(r, 2)}` },
  { dataType: 'mac-address', api: 'java.net.NetworkInterface.getHardwareAddress', args: () => [], ret: (r) => `[2,0,0,${digits(r, 2)},123,28]` },
  { dataType: 'installed-apps', api: 'android.app.ApplicationPackageManager.getInstalledPackages', overload: 'int', args: () => ['0'], ret: (r) => `[${Array.from({ length: 40 }, () => `PackageInfo{${hex(r, 7)} ${pick(r, INSTALLED)}}`).join(', ')}]` },
  { dataType: 'advertising-id', api: 'com.google.android.gms.ads.identifier.AdvertisingIdClient$Info.getId', args: () => [], ret: (r) => `${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}` },
  { dataType: 'clipboard', api: 'android.content.ClipboardManager.getPrimaryClip', args: () => [], ret: (r) => `ClipData { text/plain "会议号 ${digits(r, 9)}" }` },
  { dataType: 'network-info', api: 'android.net.ConnectivityManager.getActiveNetworkInfo', args: () => [], ret: () => '[type: WIFI[], state: CONNECTED/CONNECTED, reason: (unspecified), extra: "consentry-lab", failover: false, available: true, roaming: false]' },
  { dataType: 'ip-address', api: 'android.net.wifi.WifiInfo.getIpAddress', args: () => [], ret: (r) => String(Math.floor(r() * 2 ** 31)) },
  { dataType: 'mac-address', api: 'libc!openat', args: () => ['-100', '/sys/class/net/wlan0/address', '0'], ret: (r) => digits(r, 2) },
];

/**
 * Callers by who made the call: the frames between the hooked API and the thread's entry path.
 * Line numbers are fixed: a call site is one line of code, so the same caller reaching the same
 * API gives the same frames every time.
 */
const CALLERS = {
  umeng: ['com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidId(DeviceConfig.java:214)', 'com.umeng.commonsdk.internal.utils.UMInternalUtils.collect(UMInternalUtils.java:88)', 'com.umeng.commonsdk.UMConfigureImpl$1.run(UMConfigureImpl.java:57)'],
  pangle: ['com.bytedance.sdk.openadsdk.core.DeviceUtils.getImei(DeviceUtils.java:131)', 'com.bytedance.sdk.openadsdk.core.AdRequest.build(AdRequest.java:402)', 'com.bytedance.sdk.openadsdk.core.TTAdNativeImpl.loadSplashAd(TTAdNativeImpl.java:96)'],
  jpush: ['cn.jpush.android.helper.DeviceInfo.collect(DeviceInfo.java:77)', 'cn.jpush.android.service.PushService.onStartCommand(PushService.java:61)'],
  app: [`${APP_PACKAGE}.data.DeviceFingerprint.compute(DeviceFingerprint.kt:42)`, `${APP_PACKAGE}.data.ForecastRepository.refresh(ForecastRepository.kt:118)`, `${APP_PACKAGE}.ui.MainActivity.onCreate(MainActivity.kt:37)`],
  library: ['okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)', 'retrofit2.OkHttpCall.execute(OkHttpCall.java:204)', 'io.reactivex.internal.operators.observable.ObservableFromCallable.subscribeActual(ObservableFromCallable.java:43)'],
  system: ['android.app.ContextImpl.getSystemService(ContextImpl.java:2041)'],
} as const;

/** Who calls, weighted as before: the app twice as often; a library half the time on the app's behalf. */
const WHO = ['umeng', 'pangle', 'jpush', 'app', 'app', 'library', 'library+app', 'system'] as const;
type Who = (typeof WHO)[number];

/** How a thread got to the caller: the main looper, an executor, a handler thread, a binder call. */
const ENTRIES: readonly (readonly string[])[] = [
  ['android.os.Handler.handleCallback(Handler.java:942)', 'android.os.Handler.dispatchMessage(Handler.java:99)', 'android.os.Looper.loopOnce(Looper.java:201)', 'android.os.Looper.loop(Looper.java:288)', 'android.app.ActivityThread.main(ActivityThread.java:7872)', 'java.lang.reflect.Method.invoke(Native Method)', 'com.android.internal.os.RuntimeInit$MethodAndArgsCaller.run(RuntimeInit.java:548)', 'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:936)'],
  ['java.util.concurrent.FutureTask.run(FutureTask.java:264)', 'java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1137)', 'java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:637)', 'java.lang.Thread.run(Thread.java:1012)'],
  ['android.os.Handler.handleCallback(Handler.java:942)', 'android.os.Handler.dispatchMessage(Handler.java:99)', 'android.os.Looper.loopOnce(Looper.java:201)', 'android.os.Looper.loop(Looper.java:288)', 'android.os.HandlerThread.run(HandlerThread.java:67)'],
  ['android.os.Binder.execTransactInternal(Binder.java:1280)', 'android.os.Binder.execTransact(Binder.java:1244)'],
];

/** Frames between a caller and its entry path (dispatchers, wrappers), so stacks run ~15 deep as on a phone. */
const MIDDLE = [
  'kotlinx.coroutines.internal.DispatchedContinuation.resumeWith(DispatchedContinuation.kt:205)',
  'kotlin.coroutines.jvm.internal.BaseContinuationImpl.resumeWith(ContinuationImpl.kt:33)',
  'kotlinx.coroutines.DispatchedTask.run(DispatchedTask.kt:106)',
  'androidx.lifecycle.LifecycleRegistry.forwardPass(LifecycleRegistry.java:265)',
  'androidx.lifecycle.LifecycleRegistry.sync(LifecycleRegistry.java:307)',
  'android.app.Instrumentation.callActivityOnCreate(Instrumentation.java:1329)',
  'android.app.ActivityThread.performLaunchActivity(ActivityThread.java:3573)',
  'android.app.servertransaction.TransactionExecutor.execute(TransactionExecutor.java:95)',
  'android.app.ActivityThread$H.handleMessage(ActivityThread.java:2307)',
];

const THREADS = ['main', 'pool-3-thread-1', 'UMThreadPoolExecutor1', 'tt_pangle_thread_init', 'OkHttp Dispatcher', 'RxCachedThreadScheduler-2'];

/**
 * How many distinct stacks the realistic traffic has, and why: a stack is fixed by its code
 * path, and the hooked APIs are reached from a bounded set of call sites (the app's own code
 * and each SDK's collection routine), each through a few entry paths. Here: 11 hooked Java APIs
 * × 8 callers (7 distinct chains) × 4 entry paths = 308 Java stacks, plus the empty stack of the
 * native hook and the lifecycle stacks. An app with more SDKs and call sites has more, but the
 * same order (hundreds to a few thousand): inside the agent's default table of 4096. Apps
 * whose stacks never repeat are what `distinct` measures.
 */
export type StackShape = 'realistic' | 'distinct';

function stackFor(r: () => number, hook: Hook, shape: StackShape, serial: number): string[] {
  if (hook.api.startsWith('libc!')) return [];
  const who: Who = pick(r, WHO);
  const entry = pick(r, ENTRIES);
  const method = hook.api.slice(hook.api.lastIndexOf('.') + 1);
  const cls = hook.api.slice(0, hook.api.lastIndexOf('.'));
  const file = cls.split('.').pop()!.split('$')[0];
  // The API's own frame: one line per API; with `distinct`, a line no other event has.
  const line = shape === 'distinct' ? 100_000 + serial : 100 + (hook.api.length * 37) % 900;
  const inner = [`${cls}.${method}(Native Method)`, `${cls}.${method}(${file}.java:${line})`];
  // A library called by the app is the app's doing; one on its own thread stays unknown.
  const callers = who === 'library+app' ? [...CALLERS.library, ...CALLERS.app] : [...CALLERS[who]];
  // Depth 13..17, fixed per call site (caller and entry path), as before interning.
  const depth = 13 + ((WHO.indexOf(who) + 3 * ENTRIES.indexOf(entry)) % 5);
  const middle = MIDDLE.slice(0, Math.max(0, depth - inner.length - callers.length - entry.length));
  return [...inner, ...callers, ...middle, ...entry];
}

function lifecycleEvent(t: number, state: 'foreground' | 'background'): AgentEvent {
  return {
    dataType: 'lifecycle',
    api: state === 'foreground' ? 'android.app.Activity.onResume' : 'android.app.Activity.onPause',
    args: [],
    outcome: { kind: 'returned' },
    tWall: t,
    stack: [`android.app.Activity.perform${state === 'foreground' ? 'Resume' : 'Pause'}(Activity.java:8412)`, ...ENTRIES[0]!],
    lifecycle: { state, component: `${APP_PACKAGE}.ui.MainActivity` },
  };
}

export function agentEvent(r: () => number, t: number, mono: bigint, shape: StackShape = 'realistic', serial = 0): AgentEvent {
  const hook = pick(r, HOOKS);
  const ret = hook.ret(r);
  return {
    dataType: hook.dataType,
    api: hook.api,
    ...(hook.overload !== undefined ? { overload: hook.overload } : {}),
    args: hook.args(r),
    ...(ret !== undefined ? { ret } : {}),
    outcome: { kind: 'returned' },
    tWall: t,
    monotonicNs: mono.toString(),
    thread: pick(r, THREADS),
    stack: stackFor(r, hook, shape, serial),
  };
}

/**
 * `count` batches of BATCH_EVENTS events each, as the hooks produce them (stacks inline). One
 * batch in 16 carries a lifecycle pair, as an app moving between screens does.
 */
export function agentBatches(count: number, seed = 11, shape: StackShape = 'realistic', t0 = 1_750_000_000_000): AgentEvent[][] {
  const r = seededRandom(seed);
  const out: AgentEvent[][] = [];
  let t = t0;
  let mono = 123_456_789_000n;
  let serial = 0;
  for (let b = 0; b < count; b += 1) {
    const events: AgentEvent[] = [];
    for (let i = 0; i < BATCH_EVENTS; i += 1) {
      t += Math.floor(r() * 3);
      mono += 250_000n;
      if (b % 16 === 0 && i === 0) events.push(lifecycleEvent(t, 'foreground'));
      else if (b % 16 === 8 && i === 0) events.push(lifecycleEvent(t, 'background'));
      else events.push(agentEvent(r, t, mono, shape, (serial += 1)));
    }
    out.push(events);
  }
  return out;
}

/** A ring of `events` message texts to replay: `first` once, then `steady` over and over. */
export interface AgentRing {
  /** The first pass, as a fresh agent sends it: each stack defined with its first event. */
  first: string[];
  /** Every later pass: the agent has sent these stacks before and refers to them by id. */
  steady: string[];
  /** Stacks the agent defined for the ring (realistic: every distinct stack; distinct: none, its table is full). */
  distinctStacks: number;
}

const DEFAULT_LIMITS = AgentOptions.parse({});

/**
 * The ring as the real agent sends it: the batches go through the agent's StackInterner with
 * the default table bounds. `distinct`: every event has a stack of its own, and the agent's
 * table is already full (it has met 4096 other stacks), so every stack travels inline — the
 * steady state of an app whose stacks never repeat, and the worst case for the host.
 */
export function agentRing(count: number, seed = 11, shape: StackShape = 'realistic'): AgentRing {
  const batches = agentBatches(count, seed, shape);
  const interner = new StackInterner({ maxStacks: DEFAULT_LIMITS.stackTableMaxStacks, maxChars: DEFAULT_LIMITS.stackTableMaxChars });
  if (shape === 'distinct') {
    const filler = Array.from({ length: DEFAULT_LIMITS.stackTableMaxStacks }, (_, i) => ({ ...batches[0]![1]!, stack: [`com.example.Filler.m(Filler.java:${i})`] }));
    interner.intern(filler);
  }
  const texts = () =>
    batches.map((events) => {
      const wire = interner.intern(events);
      const message: AgentMessage = { type: 'events', pid: APP_PID, events: wire.events, dropped: 0, ...(wire.stacks.length ? { stacks: wire.stacks } : {}) };
      return JSON.stringify(message);
    });
  const before = interner.size;
  const first = texts();
  const distinctStacks = interner.size - before;
  // Every stack inline: the later passes are the same bytes (one copy, less memory to measure).
  const steady = shape === 'distinct' ? first : texts();
  return { first, steady, distinctStacks };
}

import type { AgentEvent, AgentMessage } from '../../harness/instrumentation/agent-messages.js';
// The project's one seeded generator (mulberry32), shared with the traffic test corpora.
import { prng as seededRandom } from '../../harness/traffic/testing/synthetic-traffic.js';

/**
 * Realistic agent traffic for the ingestion benchmark: `events` messages as the Frida agent
 * sends them (agents/src/lib/emitter.ts batches up to 200 events), with ~15-frame Java stacks
 * that attribute to catalogued SDKs, to the app, to unknown libraries and to the system, the
 * arguments and return values the real hooks record, and a few lifecycle events.
 *
 * Seeded, so two processes given the same seed produce the same bytes (the consentry run and
 * the peer run must ingest the same events).
 */

export const APP_PACKAGE = 'com.example.weather';
export const APP_PID = 4242;
export const BATCH_EVENTS = 200;


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

/** Callers by who made the call: the stack between the hooked API and the thread's root. */
const CALLERS = {
  umeng: ['com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidId(DeviceConfig.java:214)', 'com.umeng.commonsdk.internal.utils.UMInternalUtils.collect(UMInternalUtils.java:88)', 'com.umeng.commonsdk.UMConfigureImpl$1.run(UMConfigureImpl.java:57)'],
  pangle: ['com.bytedance.sdk.openadsdk.core.DeviceUtils.getImei(DeviceUtils.java:131)', 'com.bytedance.sdk.openadsdk.core.AdRequest.build(AdRequest.java:402)', 'com.bytedance.sdk.openadsdk.core.TTAdNativeImpl.loadSplashAd(TTAdNativeImpl.java:96)'],
  jpush: ['cn.jpush.android.helper.DeviceInfo.collect(DeviceInfo.java:77)', 'cn.jpush.android.service.PushService.onStartCommand(PushService.java:61)'],
  app: [`${APP_PACKAGE}.data.DeviceFingerprint.compute(DeviceFingerprint.kt:42)`, `${APP_PACKAGE}.data.ForecastRepository.refresh(ForecastRepository.kt:118)`, `${APP_PACKAGE}.ui.MainActivity.onCreate(MainActivity.kt:37)`],
  library: ['okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)', 'retrofit2.OkHttpCall.execute(OkHttpCall.java:204)', 'io.reactivex.internal.operators.observable.ObservableFromCallable.subscribeActual(ObservableFromCallable.java:43)'],
} as const;

const ROOTS = [
  'android.os.Handler.handleCallback(Handler.java:942)',
  'android.os.Handler.dispatchMessage(Handler.java:99)',
  'android.os.Looper.loopOnce(Looper.java:201)',
  'android.os.Looper.loop(Looper.java:288)',
  'android.app.ActivityThread.main(ActivityThread.java:7872)',
  'java.lang.reflect.Method.invoke(Native Method)',
  'com.android.internal.os.RuntimeInit$MethodAndArgsCaller.run(RuntimeInit.java:548)',
  'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:936)',
];

const THREADS = ['main', 'pool-3-thread-1', 'UMThreadPoolExecutor1', 'tt_pangle_thread_init', 'OkHttp Dispatcher', 'RxCachedThreadScheduler-2'];

function stackFor(r: () => number, hook: Hook): string[] {
  if (hook.api.startsWith('libc!')) return [];
  const who = pick(r, ['umeng', 'pangle', 'jpush', 'app', 'app', 'library', 'system'] as const);
  const method = hook.api.slice(hook.api.lastIndexOf('.') + 1);
  const cls = hook.api.slice(0, hook.api.lastIndexOf('.'));
  const inner = [`${cls}.${method}(Native Method)`, `${cls}.${method}(${cls.split('.').pop()}.java:${100 + Math.floor(r() * 900)})`];
  const callers = who === 'system' ? ['android.app.ContextImpl.getSystemService(ContextImpl.java:2041)'] : [...CALLERS[who]];
  // A library called by the app is the app's doing; one on its own thread stays unknown.
  if (who === 'library' && r() < 0.5) callers.push(...CALLERS.app);
  const stack = [...inner, ...callers, ...ROOTS];
  // Real stacks vary in depth; keep them around 15 frames.
  while (stack.length < 13 + Math.floor(r() * 5)) stack.splice(inner.length + callers.length, 0, `java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:${1100 + stack.length})`);
  return stack;
}

function lifecycleEvent(t: number, state: 'foreground' | 'background'): AgentEvent {
  return {
    dataType: 'lifecycle',
    api: state === 'foreground' ? 'android.app.Activity.onResume' : 'android.app.Activity.onPause',
    args: [],
    outcome: { kind: 'returned' },
    tWall: t,
    stack: ['android.app.Activity.performResume(Activity.java:8412)', ...ROOTS],
    lifecycle: { state, component: `${APP_PACKAGE}.ui.MainActivity` },
  };
}

export function agentEvent(r: () => number, t: number, mono: bigint): AgentEvent {
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
    stack: stackFor(r, hook),
  };
}

/**
 * `count` events messages of BATCH_EVENTS events each, as JSON text (what Frida delivers and the
 * host parses). One batch in 16 carries a lifecycle pair, as an app moving between screens does.
 */
export function agentBatchTexts(count: number, seed = 11, t0 = 1_750_000_000_000): string[] {
  const r = seededRandom(seed);
  const out: string[] = [];
  let t = t0;
  let mono = 123_456_789_000n;
  for (let b = 0; b < count; b += 1) {
    const events: AgentEvent[] = [];
    for (let i = 0; i < BATCH_EVENTS; i += 1) {
      t += Math.floor(r() * 3);
      mono += 250_000n;
      if (b % 16 === 0 && i === 0) events.push(lifecycleEvent(t, 'foreground'));
      else if (b % 16 === 8 && i === 0) events.push(lifecycleEvent(t, 'background'));
      else events.push(agentEvent(r, t, mono));
    }
    const message: AgentMessage = { type: 'events', pid: APP_PID, events, dropped: 0 };
    out.push(JSON.stringify(message));
  }
  return out;
}

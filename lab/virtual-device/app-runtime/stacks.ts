import type { AppModel } from '../models/schema.js';

/**
 * Simulated Java stacks, innermost first, as `Log.getStackTraceString` prints frames
 * ("cls.method(File:line)"). The shape is what attribution relies on: the API frame on top,
 * then the SDK's frames (when an SDK is the caller), then the app's own frames, then the
 * framework frames of the entry point at the bottom.
 */
export type EntryPoint = 'application-create' | 'activity-create' | 'click' | 'timer' | 'worker' | 'permission-result';

const FRAMEWORK_TAIL: Record<EntryPoint, string[]> = {
  'application-create': [
    'android.app.Instrumentation.callApplicationOnCreate(Instrumentation.java:1277)',
    'android.app.ActivityThread.handleBindApplication(ActivityThread.java:6759)',
    'android.app.ActivityThread.access$1500(ActivityThread.java:256)',
    'android.app.ActivityThread$H.handleMessage(ActivityThread.java:2091)',
    'android.os.Handler.dispatchMessage(Handler.java:106)',
    'android.os.Looper.loopOnce(Looper.java:201)',
    'android.os.Looper.loop(Looper.java:288)',
    'android.app.ActivityThread.main(ActivityThread.java:7870)',
    'java.lang.reflect.Method.invoke(Native Method)',
    'com.android.internal.os.RuntimeInit$MethodAndArgsCaller.run(RuntimeInit.java:548)',
    'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1003)',
  ],
  'activity-create': [
    'android.app.Activity.performCreate(Activity.java:8305)',
    'android.app.Instrumentation.callActivityOnCreate(Instrumentation.java:1329)',
    'android.app.ActivityThread.performLaunchActivity(ActivityThread.java:3608)',
    'android.app.ActivityThread.handleLaunchActivity(ActivityThread.java:3792)',
    'android.app.servertransaction.LaunchActivityItem.execute(LaunchActivityItem.java:103)',
    'android.app.servertransaction.TransactionExecutor.executeCallbacks(TransactionExecutor.java:135)',
    'android.app.ActivityThread$H.handleMessage(ActivityThread.java:2210)',
    'android.os.Handler.dispatchMessage(Handler.java:106)',
    'android.os.Looper.loop(Looper.java:288)',
    'android.app.ActivityThread.main(ActivityThread.java:7870)',
    'java.lang.reflect.Method.invoke(Native Method)',
    'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1003)',
  ],
  click: [
    'android.view.View.performClick(View.java:7448)',
    'android.view.View.performClickInternal(View.java:7425)',
    'android.view.View$PerformClick.run(View.java:28305)',
    'android.os.Handler.handleCallback(Handler.java:938)',
    'android.os.Handler.dispatchMessage(Handler.java:99)',
    'android.os.Looper.loop(Looper.java:288)',
    'android.app.ActivityThread.main(ActivityThread.java:7870)',
    'java.lang.reflect.Method.invoke(Native Method)',
    'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1003)',
  ],
  'permission-result': [
    'android.app.Activity.dispatchRequestPermissionsResult(Activity.java:8612)',
    'android.app.Activity.dispatchActivityResult(Activity.java:8462)',
    'android.app.ActivityThread.deliverResults(ActivityThread.java:5340)',
    'android.os.Handler.dispatchMessage(Handler.java:106)',
    'android.os.Looper.loop(Looper.java:288)',
    'android.app.ActivityThread.main(ActivityThread.java:7870)',
    'java.lang.reflect.Method.invoke(Native Method)',
    'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1003)',
  ],
  timer: [
    'java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:462)',
    'java.util.concurrent.FutureTask.runAndReset(FutureTask.java:307)',
    'java.util.concurrent.ScheduledThreadPoolExecutor$ScheduledFutureTask.run(ScheduledThreadPoolExecutor.java:302)',
    'java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1167)',
    'java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:641)',
    'java.lang.Thread.run(Thread.java:920)',
  ],
  worker: [
    'java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1167)',
    'java.util.concurrent.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:641)',
    'java.lang.Thread.run(Thread.java:920)',
  ],
};

const APP_ENTRY: Record<EntryPoint, { cls: string; method: string }> = {
  'application-create': { cls: 'App', method: 'onCreate' },
  'activity-create': { cls: 'MainActivity', method: 'onCreate' },
  click: { cls: 'MainActivity$1', method: 'onClick' },
  'permission-result': { cls: 'MainActivity', method: 'onRequestPermissionsResult' },
  timer: { cls: 'sync.SyncTask', method: 'run' },
  worker: { cls: 'net.Uploader', method: 'run' },
};

export interface StackRequest {
  model: AppModel | undefined;
  packageName: string;
  caller: string;
  entry: EntryPoint;
  /** The API frame on top: "android.telephony.TelephonyManager.getImei". */
  api?: { className: string; method: string };
}

/** Line numbers derived from names, so a stack is the same on every run (deterministic). */
function lineFor(text: string): number {
  let h = 0;
  for (const ch of text) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return 20 + (h % 900);
}

function frame(cls: string, method: string, file = 'SourceFile'): string {
  return `${cls}.${method}(${file}:${lineFor(cls + method)})`;
}

export function buildStack(req: StackRequest): string[] {
  const frames: string[] = [];
  if (req.api) frames.push(`${req.api.className}.${req.api.method}(${simpleName(req.api.className)}.java:${lineFor(req.api.className + req.api.method)})`);
  if (req.caller !== 'app') {
    const sdk = req.model?.sdks.find((s) => s.id === req.caller);
    const base = sdk?.package ?? `com.sdk.${req.caller.replace(/-/g, '')}`;
    // Obfuscated internals under the SDK's package, then its public entry class.
    frames.push(frame(`${base}.a.b`, 'a'), frame(`${base}.a.c`, 'run'));
    frames.push(frame(sdk?.entryClass ?? `${base}.Sdk`, 'init'));
  }
  const entry = APP_ENTRY[req.entry];
  const appClass =
    req.entry === 'application-create'
      ? (req.model?.manifest.application ?? `${req.packageName}.${entry.cls}`)
      : req.entry === 'activity-create' || req.entry === 'click' || req.entry === 'permission-result'
        ? `${launcherActivity(req.model) ?? `${req.packageName}.MainActivity`}${req.entry === 'click' ? '$1' : ''}`
        : `${req.packageName}.${entry.cls}`;
  frames.push(frame(appClass, entry.method, `${simpleName(appClass).split('$')[0]}.java`));
  frames.push(...FRAMEWORK_TAIL[req.entry]);
  return frames;
}

function launcherActivity(model: AppModel | undefined): string | undefined {
  return model?.manifest.activities.find((a) => a.launcher)?.name ?? model?.manifest.activities[0]?.name;
}

function simpleName(cls: string): string {
  return cls.slice(cls.lastIndexOf('.') + 1);
}

/** Framework frames under Activity.onResume / onPause. */
export function activityLifecycleFrames(event: 'resume' | 'pause'): string[] {
  const what = event === 'resume' ? 'Resume' : 'Pause';
  return [
    `android.app.Activity.perform${what}(Activity.java:8403)`,
    `android.app.ActivityThread.perform${what}Activity(ActivityThread.java:4770)`,
    'android.app.servertransaction.TransactionExecutor.execute(TransactionExecutor.java:95)',
    'android.os.Handler.dispatchMessage(Handler.java:106)',
    'android.os.Looper.loop(Looper.java:288)',
    'android.app.ActivityThread.main(ActivityThread.java:7870)',
    'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1003)',
  ];
}

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTestApk, type TestApkSpec } from '../../../product/evidence/apps/test-support/index.js';
import { prng as seededRandom } from '../../../product/capture/traffic/test-support/synthetic-traffic.js';

/**
 * Large generated APKs for the static-analysis benchmark: thousands of classes spread over the
 * app's own packages, catalogued SDKs and common libraries, the permissions a feature-rich app
 * asks for, built by product/evidence/apps/test-support's builder (apktool + zipalign + apksigner) and cached
 * across runs in a temp dir (a 20k-class build takes minutes on 2 cores).
 */

export const LARGE_APK_CACHE = join(tmpdir(), 'consentry-bench-apks');

const PACKAGES = [
  'com.example.superapp.ui', 'com.example.superapp.data', 'com.example.superapp.net', 'com.example.superapp.feature.pay',
  'com.umeng.commonsdk.statistics', 'com.umeng.analytics.pro', 'com.bytedance.sdk.openadsdk.core', 'cn.jpush.android.service',
  'com.tencent.bugly.crashreport', 'com.qq.e.comm.managers', 'okhttp3.internal.http2', 'retrofit2.converter',
  'com.google.gson.internal', 'io.reactivex.internal.operators', 'kotlinx.coroutines.flow.internal', 'androidx.recyclerview.widget',
];

const PERMISSIONS = [
  'android.permission.INTERNET', 'android.permission.ACCESS_NETWORK_STATE', 'android.permission.ACCESS_WIFI_STATE',
  'android.permission.READ_PHONE_STATE', 'android.permission.ACCESS_FINE_LOCATION', 'android.permission.ACCESS_COARSE_LOCATION',
  'android.permission.CAMERA', 'android.permission.RECORD_AUDIO', 'android.permission.READ_CONTACTS', 'android.permission.READ_CALENDAR',
  'android.permission.READ_EXTERNAL_STORAGE', 'android.permission.WRITE_EXTERNAL_STORAGE', 'android.permission.BLUETOOTH_CONNECT',
  'android.permission.POST_NOTIFICATIONS', 'android.permission.VIBRATE', 'android.permission.WAKE_LOCK',
  'android.permission.RECEIVE_BOOT_COMPLETED', 'android.permission.FOREGROUND_SERVICE', 'android.permission.REQUEST_INSTALL_PACKAGES',
  'android.permission.QUERY_ALL_PACKAGES', 'com.google.android.gms.permission.AD_ID', 'com.example.superapp.permission.C2D_MESSAGE',
];

export function largeApkSpec(classCount: number): TestApkSpec {
  const r = seededRandom(classCount);
  const classes = new Set<string>();
  for (let i = 0; classes.size < classCount; i += 1) {
    const pkg = PACKAGES[Math.floor(r() * PACKAGES.length)]!;
    const inner = r() < 0.2 ? `$${1 + Math.floor(r() * 3)}` : '';
    classes.add(`${pkg}.C${i.toString(36)}${inner}`);
  }
  return {
    packageName: `com.example.superapp.c${classCount}`,
    versionCode: 7,
    versionName: '7.0.0',
    minSdk: 21,
    targetSdk: 33,
    label: 'Super App',
    permissions: PERMISSIONS,
    applicationClass: 'com.example.superapp.SuperApp',
    components: [
      { kind: 'activity', name: 'com.example.superapp.ui.MainActivity', exported: true, launcher: true },
      { kind: 'service', name: 'cn.jpush.android.service.PushService', exported: false },
      { kind: 'receiver', name: 'com.example.superapp.BootReceiver', exported: true, actions: ['android.intent.action.BOOT_COMPLETED'] },
    ],
    classes: [...classes],
  };
}

export async function buildLargeApk(classCount: number): Promise<string> {
  return buildTestApk(largeApkSpec(classCount), { cacheDir: LARGE_APK_CACHE });
}

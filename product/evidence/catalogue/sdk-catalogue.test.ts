import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenCC from 'opencc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { hasHan, toSimplified } from '../../core/chinese-script.js';
import { loadSdkCatalogue, SDK_CATALOGUE_FILE } from './sdk-catalogue.js';

const dir = mkdtempSync(join(tmpdir(), 'consentry-sdk-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The shipped YAML with `extra` appended, loaded from a private copy. */
function loadWith(extra: string) {
  const file = join(dir, `extra-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, readFileSync(SDK_CATALOGUE_FILE, 'utf8') + extra);
  return () => loadSdkCatalogue(file);
}

describe('SDK catalogue', () => {
  const catalogue = loadSdkCatalogue();
  const id = (cls: string) => catalogue.sdkForClass(cls)?.id;
  const hostId = (host: string) => catalogue.sdkForHost(host)?.id;

  it('loads the shipped catalogue: at least 200 SDKs, unique ids, each with a source', () => {
    const ids = catalogue.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(200);
    for (const e of catalogue.entries) expect(e.source, e.id).toMatch(/\S/);
  });

  it('maps classes to SDKs by whole package segments', () => {
    expect(id('com.umeng.analytics.MobclickAgent.onResume')).toBe('umeng');
    expect(catalogue.sdkForClass('com.umengx.Foo')).toBeUndefined();
    expect(id('com.google.android.gms.ads.identifier.AdvertisingIdClient')).toBe('google-ads');
  });

  it('gives a vendor product that ships its own sub-package precedence over the vendor-wide entry', () => {
    expect(id('com.facebook.FacebookSdk.sdkInitialize')).toBe('facebook');
    expect(id('com.facebook.login.LoginManager.logInWithReadPermissions')).toBe('facebook-login');
    expect(id('com.facebook.ads.InterstitialAd.loadAd')).toBe('facebook-audience-network');
    expect(id('com.facebook.appevents.AppEventsLogger.logEvent')).toBe('facebook-app-events');
    expect(id('com.google.firebase.FirebaseApp.initializeApp')).toBe('firebase');
    expect(id('com.google.firebase.crashlytics.FirebaseCrashlytics.recordException')).toBe('firebase-crashlytics');
    expect(id('com.google.android.gms.ads.admanager.AdManagerAdView.loadAd')).toBe('google-ad-manager');
    expect(id('com.google.ads.interactivemedia.v3.api.ImaSdkFactory.getInstance')).toBe('google-ima');
    expect(id('com.google.ads.mediation.facebook.FacebookMediationAdapter')).toBe('google-ads');
    expect(id('com.umeng.socialize.UMShareAPI.get')).toBe('umeng-share');
    expect(id('com.umeng.commonsdk.UMConfigure.init')).toBe('umeng');
    expect(id('cn.jiguang.verifysdk.api.JVerificationInterface.loginAuth')).toBe('jiguang-verification');
    expect(id('cn.jpush.android.api.JPushInterface.getRegistrationID')).toBe('jpush');
    expect(id('com.alipay.sdk.app.PayTask.payV2')).toBe('alipay');
    expect(id('com.alipay.mobile.framework.LauncherApplicationAgent')).toBe('alipay-mpaas');
  });

  it('does not name the Facebook SDK for Fresco or React Native frames (open-source libraries shadow it)', () => {
    for (const frame of [
      'com.facebook.drawee.view.SimpleDraweeView.setImageURI',
      'com.facebook.imagepipeline.core.ImagePipeline.fetchDecodedImage',
      'com.facebook.react.bridge.JavaMethodWrapper.invoke',
      'com.facebook.soloader.SoLoader.loadLibrary',
    ]) {
      expect(catalogue.sdkForClass(frame), frame).toBeUndefined();
      expect(catalogue.libraryForClass(frame)?.id, frame).toBe('meta-oss-libraries');
    }
    expect(catalogue.libraryForClass('com.facebook.login.LoginManager')).toBeUndefined();
  });

  it('names Chinese ad, push, map and social SDKs from their real class names', () => {
    expect(id('com.bytedance.sdk.openadsdk.TTAdSdk.init')).toBe('pangle');
    expect(id('com.bytedance.pangle.Zeus.init')).toBe('pangle');
    expect(id('com.bytedance.msdk.api.v2.GMMediationAdSdk.initialize')).toBe('csj-gromore');
    expect(catalogue.sdkForClass('com.pangle.Foo')).toBeUndefined();
    expect(id('com.qq.e.ads.splash.SplashAD.fetchAndShowIn')).toBe('tencent-gdt');
    expect(id('com.kwad.sdk.api.KsAdSDK.init')).toBe('kuaishou-ads');
    expect(id('com.mbridge.msdk.MBridgeSDK.init')).toBe('mintegral');
    expect(id('com.anythink.core.api.ATSDK.init')).toBe('topon');
    expect(id('com.tencent.map.geolocation.TencentLocationManager.requestLocationUpdates')).toBe('tencent-map');
    expect(id('com.tencent.mm.opensdk.openapi.WXAPIFactory.createWXAPI')).toBe('tencent-wechat');
    expect(catalogue.sdkForClass('com.tencent.mm.ui.LauncherUI')).toBeUndefined();
    expect(id('com.igexin.sdk.PushManager.initialize')).toBe('getui');
    expect(id('com.huawei.hms.push.HmsMessaging.turnOnPush')).toBe('huawei-hms');
    expect(id('com.huawei.hms.location.FusedLocationProviderClient.getLastLocation')).toBe('huawei-location');
    expect(id('cn.shuzilm.core.Main.getQueryID')).toBe('shuzilm');
  });

  it('maps hosts to SDKs by whole labels, the most specific listed suffix winning', () => {
    expect(hostId('alog.umeng.com')).toBe('umeng');
    expect(catalogue.sdkForHost('notumeng.com')).toBeUndefined();
    expect(hostId('API.JPUSH.CN.')).toBe('jpush');
    expect(hostId('api-access.pangolin-sdk-toutiao.com')).toBe('pangle');
    expect(hostId('app-measurement.com')).toBe('firebase-analytics');
    expect(hostId('firebaseinstallations.googleapis.com')).toBe('firebase');
    expect(hostId('googleads.g.doubleclick.net')).toBe('google-ads');
    expect(hostId('pubads.g.doubleclick.net')).toBe('google-ad-manager');
    expect(hostId('uapi.ads.heytapmobi.com')).toBe('oppo-ads');
    expect(hostId('adsdk.vivo.com.cn')).toBe('vivo-ads');
    expect(hostId('sdk.verification.jiguang.cn')).toBe('jiguang-verification');
    expect(hostId('api.stripe.com')).toBe('stripe');
  });

  it('names no SDK for hosts that serve a vendor’s unrelated products', () => {
    for (const host of ['accounts.google.com', 'www.googleapis.com', 'my-bucket-1250000000.cos.ap-guangzhou.myqcloud.com', 'i.snssdk.com', 'www.toutiao.com', 'stsdk.vivo.com.cn', 'dashboard.stripe.com', 'www.189.cn']) {
      expect(catalogue.sdkForHost(host), host).toBeUndefined();
    }
  });

  it('knows the SDK names that real privacy policies use, as aliases', () => {
    const expected: [string, string][] = [
      ['友盟+', 'umeng'],
      ['穿山甲', 'pangle'],
      ['优量汇', 'tencent-gdt'],
      ['极光', 'jpush'],
      ['极光认证', 'jiguang-verification'],
      ['个推', 'getui'],
      ['腾讯地图', 'tencent-map'],
      ['微信登录', 'tencent-wechat'],
      ['鲸鸿动能', 'huawei-ads'],
      ['OPUSH', 'oppo-push'],
      ['Sign in with Google', 'google-sign-in'],
      ['Firebase Authentication', 'firebase-auth'],
      ['Google Analytics for Firebase', 'firebase-analytics'],
      ['Firebase Crashlytics', 'firebase-crashlytics'],
      ['DoubleClick', 'google-ad-manager'],
      ['MoPub', 'mopub'],
      ['Amazon ads', 'amazon-aps'],
      ['Fyber', 'fyber'],
      ['Smaato', 'smaato'],
      ['Facebook Audience Network', 'facebook-audience-network'],
    ];
    for (const [alias, sdk] of expected) {
      const owners = catalogue.entries.filter((e) => e.aliases.some((a) => a.toLowerCase() === alias.toLowerCase())).map((e) => e.id);
      expect(owners, alias).toEqual([sdk]);
    }
  });

  it('reads Chinese SDK names written in Traditional characters once the text is normalised', () => {
    // The policy stage is to run toSimplified (OpenCC, Taiwan phrases) before matching, as the
    // lexicons do: each Chinese alias, written the Taiwan or Hong Kong way, must come back to an
    // alias of the same SDK.
    const toTaiwan = OpenCC.Converter({ from: 'cn', to: 'twp' });
    const toHongKong = OpenCC.Converter({ from: 'cn', to: 'hk' });
    let checked = 0;
    for (const e of catalogue.entries) {
      const known = new Set(e.aliases.map((a) => a.toLowerCase()));
      for (const alias of e.aliases.filter((a) => hasHan(a) && toSimplified(a) === a)) {
        for (const written of [toTaiwan(alias), toHongKong(alias)]) {
          expect(known.has(toSimplified(written).toLowerCase()), `${e.id}: ${written}`).toBe(true);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });

  it('ties SDKs to data types where the vendor discloses them', () => {
    expect(catalogue.byId('tencent-map')?.dataTypes).toContain('location');
    expect(catalogue.byId('jiguang-verification')?.dataTypes).toContain('phone-number');
    expect(catalogue.byId('meta-oss-libraries')?.dataTypes).toBeUndefined();
    expect(catalogue.entries.filter((e) => e.dataTypes).length).toBeGreaterThan(100);
  });

  it('refuses a file that claims a package or domain twice, or lacks a source, naming the entry', () => {
    const dupPackage = '\n- id: umeng-copy\n  name: Copy\n  vendor: X\n  packages: [com.umeng]\n  category: analytics\n  source: test\n';
    expect(loadWith(dupPackage)).toThrow(/package "com\.umeng" is already claimed by entry \d+ \(umeng\)/);
    const dupDomain = '\n- id: umeng-copy\n  name: Copy\n  vendor: X\n  packages: [com.umengcopy]\n  domains: [umeng.com]\n  category: analytics\n  source: test\n';
    expect(loadWith(dupDomain)).toThrow(/domain "umeng\.com" is already claimed/);
    const noSource = '\n- id: no-source\n  name: No source\n  vendor: X\n  packages: [com.nosource]\n  category: analytics\n';
    expect(loadWith(noSource)).toThrow(/entry no-source has no source/);
    const badCategory = '\n- id: bad-cat\n  name: Bad\n  vendor: X\n  packages: [com.badcat]\n  category: ads\n  source: test\n';
    expect(loadWith(badCategory)).toThrow(/category "ads" is not one of/);
    const badType = '\n- id: bad-type\n  name: Bad\n  vendor: X\n  packages: [com.badtype]\n  category: analytics\n  dataTypes: [imei]\n  source: test\n';
    expect(loadWith(badType)).toThrow(/SDK catalogue/);
  });
});

import { describe, expect, it } from 'vitest';
import { loadSdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { attribute, frameClass } from './stack-attribution.js';

const sdks = loadSdkCatalogue();
const APP = 'com.example.shop';

describe('attribution from the Java stack', () => {
  it('names the SDK when an SDK frame is the first outside the framework', () => {
    const stack = [
      'android.provider.Settings$Secure.getString(Native Method)',
      'com.umeng.commonsdk.statistics.common.DeviceConfig.getAndroidID(DeviceConfig.java:120)',
      'com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:40)',
      'com.example.shop.App.onCreate(App.java:22)',
      'android.app.Instrumentation.callApplicationOnCreate(Instrumentation.java:1277)',
    ];
    expect(attribute(stack, APP, sdks)).toMatchObject({ party: 'sdk', sdk: 'umeng', basis: stack[1] });
  });

  it('gives an app-package frame to the first party, even when an SDK is deeper in the stack', () => {
    const stack = [
      'android.telephony.TelephonyManager.getImei(Native Method)',
      'com.example.shop.login.DeviceInfo.imei(DeviceInfo.java:9)',
      'com.umeng.message.UmengMessageCallbackHandlerService.onHandleWork(Unknown Source:4)',
    ];
    expect(attribute(stack, APP, sdks)).toEqual({ party: 'first', basis: stack[1] });
  });

  it('looks past an unknown library to the code that called it', () => {
    const stack = [
      'android.provider.Settings$Secure.getString(Native Method)',
      'okhttp3.internal.Util.deviceHeader(Util.kt:3)',
      'cn.jpush.android.helper.Net.post(Net.java:12)',
    ];
    expect(attribute(stack, APP, sdks)).toMatchObject({ party: 'sdk', sdk: 'jpush' });
    expect(attribute(stack.slice(0, 2), APP, sdks)).toEqual({ party: 'unknown', basis: stack[1] });
  });

  it('calls framework-only stacks the system, and an empty stack unknown', () => {
    const stack = ['android.net.wifi.WifiManager.getConnectionInfo(Native Method)', 'android.app.ActivityThread.main(ActivityThread.java:8000)'];
    expect(attribute(stack, APP, sdks).party).toBe('system');
    expect(attribute([], APP, sdks).party).toBe('unknown');
  });

  it('does not take a package for its prefix (com.example.shopping is not com.example.shop)', () => {
    expect(attribute(['com.example.shopping.X.y(X.java:1)'], APP, sdks).party).toBe('unknown');
    expect(frameClass('com.example.shop.A$1.run(A.java:3)')).toBe('com.example.shop.A$1');
  });
});

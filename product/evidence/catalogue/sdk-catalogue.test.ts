import { describe, expect, it } from 'vitest';
import { loadSdkCatalogue } from './sdk-catalogue.js';

describe('SDK catalogue', () => {
  const catalogue = loadSdkCatalogue();

  it('loads the shipped catalogue with unique ids', () => {
    const ids = catalogue.entries.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(30);
  });

  it('maps classes to SDKs by whole package segments', () => {
    expect(catalogue.sdkForClass('com.umeng.analytics.MobclickAgent.onResume')?.id).toBe('umeng');
    expect(catalogue.sdkForClass('com.umengx.Foo')).toBeUndefined();
    expect(catalogue.sdkForClass('com.google.android.gms.ads.identifier.AdvertisingIdClient')?.id).toBe('google-ads');
  });

  it('maps hosts to SDKs by whole labels', () => {
    expect(catalogue.sdkForHost('alog.umeng.com')?.id).toBe('umeng');
    expect(catalogue.sdkForHost('notumeng.com')).toBeUndefined();
    expect(catalogue.sdkForHost('API.JPUSH.CN.')?.id).toBe('jpush');
  });
});

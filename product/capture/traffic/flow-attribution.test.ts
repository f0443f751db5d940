import { describe, expect, it } from 'vitest';
import { loadSdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { DestinationAttributor, domainsFromPackage } from './flow-attribution.js';

describe('destination attribution', () => {
  const attributor = new DestinationAttributor({ appPackage: 'com.example.shop', appUid: 10123, firstPartyDomains: ['shop-cdn.net'], catalogue: loadSdkCatalogue() });

  it('infers first-party domains from the package name', () => {
    expect(domainsFromPackage('com.example.shop')).toEqual(['example.com']);
    expect(domainsFromPackage('cn.com.bank.mobile')).toEqual(['bank.com.cn']);
  });

  it('tells first party, SDK, platform and unknown destinations apart', () => {
    expect(attributor.destination('api.example.com').party).toBe('first');
    expect(attributor.destination('img.shop-cdn.net').party).toBe('first');
    expect(attributor.destination('alog.umeng.com')).toMatchObject({ party: 'sdk', sdk: 'umeng' });
    expect(attributor.destination('notumeng.com').party).toBe('unknown');
    expect(attributor.destination('connectivitycheck.gstatic.com').party).toBe('system');
  });

  it('tags origin by uid or package when known, else by platform host, else unknown', () => {
    expect(attributor.origin('alog.umeng.com', { uid: 10123 })).toEqual({ tag: 'app', uid: 10123 });
    expect(attributor.origin('alog.umeng.com', { package: 'com.google.android.gms', uid: 10050 })).toEqual({ tag: 'system', package: 'com.google.android.gms', uid: 10050 });
    expect(attributor.origin('play.googleapis.com')).toEqual({ tag: 'system' });
    expect(attributor.origin('alog.umeng.com')).toEqual({ tag: 'unknown' });
  });
});

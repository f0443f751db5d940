import { describe, expect, it } from 'vitest';
import type { SdkEntry } from '../catalogue/sdk-catalogue.js';
import { SdkCatalogue } from '../catalogue/sdk-lookup.js';
import { SdkScan, sdksForClasses } from './sdk-scan.js';

const entry = (id: string, packages: string[]): SdkEntry => ({ id, name: id, vendor: id, aliases: [], packages, domains: [], category: 'test' });

/** Nested prefixes owned by different SDKs, a prefix that is a class name, and look-alikes. */
const catalogue = new SdkCatalogue([
  entry('gms', ['com.google.android.gms']),
  entry('gms-ads', ['com.google.android.gms.ads', 'com.google.ads']),
  entry('umeng', ['com.umeng']),
  entry('one-class', ['com.vendor.Tracker']),
]);

const CLASSES = [
  'com.google.android.gms.common.Api',
  'com.google.android.gms.ads.identifier.AdvertisingIdClient',
  'com.google.android.gms.ads.AdView',
  'com.google.android.gms.ads.AdView$1',
  'com.google.ads.Legacy',
  'com.google.android.gmsx.NotGms',
  'com.umeng.analytics.MobclickAgent',
  'com.umeng.Top',
  'com.umengx.NotUmeng',
  'com.vendor.Tracker',
  'com.vendor.Other',
  'com.vendor.Tracker$Inner',
  'TopLevelClass',
];

describe('SDK scan', () => {
  it('attributes every class as catalogue.sdkForClass does, counted under the longest matching package', () => {
    const hits = sdksForClasses(CLASSES, catalogue);
    const expected = new Map<string, Map<string, number>>();
    for (const c of CLASSES) {
      const sdk = catalogue.sdkForClass(c);
      if (!sdk) continue;
      const prefix = sdk.packages.filter((p) => c === p || c.startsWith(`${p}.`)).sort((a, b) => b.length - a.length)[0]!;
      const byPrefix = expected.get(sdk.id) ?? new Map<string, number>();
      byPrefix.set(prefix, (byPrefix.get(prefix) ?? 0) + 1);
      expected.set(sdk.id, byPrefix);
    }
    expect(Object.fromEntries(hits.map((h) => [h.id, Object.fromEntries(h.packages.map((p) => [p.prefix, p.classes]))]))).toEqual(
      Object.fromEntries([...expected].map(([id, m]) => [id, Object.fromEntries(m)])),
    );
    // The same facts spelled out, so the test does not only agree with itself.
    expect(hits.map((h) => h.id)).toEqual(['gms', 'gms-ads', 'one-class', 'umeng']);
    expect(hits.find((h) => h.id === 'gms-ads')?.packages).toEqual([
      { prefix: 'com.google.ads', classes: 1 },
      { prefix: 'com.google.android.gms.ads', classes: 3 },
    ]);
    expect(hits.find((h) => h.id === 'one-class')?.packages).toEqual([{ prefix: 'com.vendor.Tracker', classes: 1 }]);
  });

  it('gives the same answer whichever order the classes of one package come in', () => {
    const forward = sdksForClasses(CLASSES, catalogue).map(({ id, packages }) => ({ id, packages }));
    const backward = sdksForClasses([...CLASSES].reverse(), catalogue).map(({ id, packages }) => ({ id, packages }));
    expect(backward).toEqual(forward);
  });

  it('lists every package once with its first class, including packages no SDK owns', () => {
    const scan = new SdkScan(catalogue);
    for (const c of [...CLASSES, 'TopLevel', 'com.vendor.Tracker', 'com.vendor.Tracker2']) scan.addClass(c);
    const packages = scan.packages();
    expect(packages.get('com.umengx')).toBe('com.umengx.NotUmeng');
    expect(packages.get('com.google.android.gms.ads')).toBe('com.google.android.gms.ads.AdView');
    expect(packages.get('com.vendor')).toBe('com.vendor.Tracker');
    expect(packages.has('')).toBe(false);
    expect([...packages.keys()]).toEqual([...new Set(packages.keys())]);
  });
});

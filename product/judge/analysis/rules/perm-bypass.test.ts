import { describe, expect, it } from 'vitest';
import { flow, hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, UMENG_STACK, APP_STACK } from '../test-support/rule-harness.js';
import { rule } from './perm-bypass.js';

const LOC = 'android.permission.ACCESS_FINE_LOCATION';
const denied = marker('permission.denied', T0, { data: { permission: LOC } });

describe('PERM-BYPASS', () => {
  it('reports the Wi-Fi BSSID read after location was denied', () => {
    const e = hookEvent('wifi-network', T0 + 3000, { api: 'android.net.wifi.WifiInfo.getBSSID', ret: 'a4:2b:b0:11:22:33', stack: APP_STACK });
    const [f] = judge(rule, { markers: [denied], events: [e] });
    expect(f!.statement).toBe('After the user denied the location permission (ACCESS_FINE_LOCATION), the app still obtained the Wi-Fi network (SSID/BSSID) 3.0 s later.');
  });

  it('reports location sent after denial, and the MAC read from /sys/class/net', () => {
    const f = flow('https://geo.example.net/ip', T0 + 1000, { hits: [{ dataType: 'location', form: 'plain', location: 'url', value: '39.9,116.4' }] });
    expect(judge(rule, { markers: [denied], flows: [f] })[0]!.statement).toMatch(/obtained the location .* and sent it out/);
    const mac = hookEvent('mac-address', T0 + 10, { api: 'libc!openat', args: ['/sys/class/net/wlan0/address'], ret: '02:1a:11:f0:aa:bb', stack: UMENG_STACK });
    expect(judge(rule, { events: [mac] })[0]!.statement).toBe('The Umeng SDK read the MAC address from /sys/class/net/wlan0/address, which Android withholds from apps.');
    expect(judge(rule, { events: [mac] }, { thresholds: { sideChannelMac: false } })).toEqual([]);
  });

  it('accepts reads that fail or return placeholders, and reads after the user grants again', () => {
    const threw = hookEvent('location', T0 + 1000, { api: 'android.location.LocationManager.getLastKnownLocation', outcome: { kind: 'threw', error: 'SecurityException' } });
    const placeholder = hookEvent('wifi-network', T0 + 1000, { api: 'android.net.wifi.WifiInfo.getBSSID', ret: '02:00:00:00:00:00' });
    expect(judge(rule, { markers: [denied], events: [threw, placeholder] })).toEqual([]);
    const granted = marker('permission.granted', T0 + 500, { data: { permission: LOC } });
    expect(judge(rule, { markers: [denied, granted], events: [hookEvent('location', T0 + 1000, { ret: '39.9,116.4' })] })).toEqual([]);
  });
});

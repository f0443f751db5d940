import type { DeviceIdentity } from '../contracts.js';

/**
 * A fixed, readable identity for in-test phones (the real devices derive theirs per index in
 * os/identity.ts). Tests assert on these values, so they stay literal.
 */
export function fixedTestIdentity(overrides: Partial<DeviceIdentity> = {}): DeviceIdentity {
  return {
    serial: 'vd-test-1',
    manufacturer: 'Consentry',
    model: 'Virtual Pixel',
    product: 'vpixel',
    device: 'vpixel',
    apiLevel: 33,
    release: '13',
    abi: 'arm64-v8a',
    imei: '353627074839121',
    imsi: '460001234567890',
    iccid: '89860012345678901234',
    phoneNumber: '+8613800138000',
    androidId: 'a1b2c3d4e5f60718',
    wifiMac: '02:1a:11:f0:aa:01',
    bluetoothMac: '02:1a:11:f0:bb:01',
    ssid: 'LabWiFi',
    bssid: '3c:84:6a:11:22:33',
    advertisingId: '38400000-8cf0-11bd-b23e-10b96e40000d',
    oaid: 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b',
    hardwareSerial: 'VPX0001',
    location: { latitude: 39.9042, longitude: 116.4074 },
    ...overrides,
  };
}

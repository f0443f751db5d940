import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { DeviceIdentifiers } from '../../../contracts/bundle-schema.js';
import type { RequestContent } from '../detect/identifier-detector.js';

/**
 * Synthetic traffic for tests and benchmarks (in the spirit of mitmproxy's tflow factories):
 * a fixed set of device identifiers, a seeded generator of realistic clean requests (analytics
 * beacons, config fetches, ad requests with someone else's ids), and helpers to plant an
 * identifier in any part of a request.
 */

export const SAMPLE_IDENTIFIERS: DeviceIdentifiers = {
  'device-id': ['358240051111110'],
  'subscriber-id': ['460001234567890'],
  'sim-serial': ['89860012345678901234'],
  'phone-number': ['+8613800138000'],
  serial: ['R58M123ABCD'],
  'android-id': ['9774d56d682e549c'],
  'mac-address': ['02:00:00:4a:7b:1c'],
  'wifi-network': ['"HomeNet-5G"', '02:1a:11:f0:00:01'],
  'advertising-id': ['38400000-8cf0-11bd-b23e-10b96e40000d'],
  location: ['39.904213,116.407412'],
};

/** Mulberry32: small, seedable, good enough to make varied but reproducible corpora. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOSTS = ['api.example-shop.com', 'cdn.example-shop.com', 'log.umeng.com', 'config.example.org', 'graph.facebook.com'];
const WORDS = ['home', 'feed', 'cart', 'search', 'profile', 'banner', 'launch', 'click', 'impression', 'settings'];

export function randomHex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i += 1) s += Math.floor(rand() * 16).toString(16);
  return s;
}

function randomUuid(rand: () => number): string {
  const h = randomHex(rand, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** One clean request: realistic shapes, other people's identifiers, no value of SAMPLE_IDENTIFIERS. */
export function cleanRequest(rand: () => number): RequestContent {
  const host = pick(rand, HOSTS);
  const session = randomUuid(rand);
  const ts = 1_750_000_000_000 + Math.floor(rand() * 1e9);
  const lat = (rand() * 170 - 85).toFixed(6);
  const lon = (rand() * 350 - 175).toFixed(6);
  const payload = {
    event: pick(rand, WORDS),
    ts,
    session,
    user: { id: randomHex(rand, 16), hash: createHash('sha256').update(session).digest('hex') },
    device: { model: 'Pixel 7', os: 'Android 14', screen: '1080x2400', imei: String(Math.floor(rand() * 1e15)).padStart(15, '1') },
    geo: { lat, lon, acc: Math.floor(rand() * 100) },
    price: (rand() * 200).toFixed(2),
    blob: Buffer.from(randomHex(rand, 48), 'hex').toString('base64'),
    items: Array.from({ length: 1 + Math.floor(rand() * 5) }, () => ({ sku: randomHex(rand, 12), qty: Math.floor(rand() * 9) })),
  };
  const kind = Math.floor(rand() * 3);
  const query = `v=${Math.floor(rand() * 900) + 100}&ts=${ts}&sid=${session}&h=${randomHex(rand, 40)}`;
  const headers: [string, string][] = [
    ['host', host],
    ['user-agent', 'okhttp/4.12.0'],
    ['cookie', `sid=${randomHex(rand, 32)}; lang=zh-CN; _ga=GA1.2.${Math.floor(rand() * 1e9)}.${Math.floor(ts / 1000)}`],
    ['x-request-id', randomUuid(rand)],
  ];
  if (kind === 0) {
    return { url: `https://${host}/v1/${pick(rand, WORDS)}?${query}`, headers, body: { bytes: Buffer.from(JSON.stringify(payload)), contentType: 'application/json' } };
  }
  if (kind === 1) {
    const form = new URLSearchParams({ e: payload.event, t: String(ts), lat, lng: lon, d: payload.blob }).toString();
    return { url: `https://${host}/collect?${query}`, headers, body: { bytes: Buffer.from(form), contentType: 'application/x-www-form-urlencoded' } };
  }
  return { url: `https://${host}/static/${randomHex(rand, 8)}.js?${query}`, headers };
}

/** Where to plant a value in a request. */
export const PLANT_LOCATIONS = ['url', 'header', 'cookie', 'json', 'form', 'multipart', 'protobuf', 'ws'] as const;
export type PlantLocation = (typeof PLANT_LOCATIONS)[number];

/** A request carrying `text` in one location, and the hit location the scanner should report. */
export function plant(text: string, where: PlantLocation): { request: RequestContent; location: string } {
  const headers: [string, string][] = [['host', 'api.tracker.test'], ['user-agent', 'okhttp/4.12.0']];
  switch (where) {
    case 'url':
      return { request: { url: `https://api.tracker.test/t?a=1&uid=${encodeURIComponent(text)}&z=2`, headers }, location: 'url:query:uid' };
    case 'header':
      return { request: { url: 'https://api.tracker.test/t', headers: [...headers, ['X-Device', text]] }, location: 'header:x-device' };
    case 'cookie':
      return { request: { url: 'https://api.tracker.test/t', headers: [...headers, ['Cookie', `a=1; did=${encodeURIComponent(text)}; b=2`]] }, location: 'cookie:did' };
    case 'json': {
      const body = Buffer.from(JSON.stringify({ app: 'x', dev: { id: text, n: 1 } }));
      return { request: { url: 'https://api.tracker.test/t', headers, body: { bytes: body, contentType: 'application/json' } }, location: 'body:json:$.dev.id' };
    }
    case 'form': {
      const body = Buffer.from(new URLSearchParams({ a: '1', did: text }).toString());
      return { request: { url: 'https://api.tracker.test/t', headers, body: { bytes: body, contentType: 'application/x-www-form-urlencoded' } }, location: 'body:form:did' };
    }
    case 'multipart': {
      const b = 'XyZboundary42';
      const body = Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="meta"\r\n\r\n{}\r\n--${b}\r\nContent-Disposition: form-data; name="did"\r\n\r\n${text}\r\n--${b}--\r\n`);
      return { request: { url: 'https://api.tracker.test/t', headers, body: { bytes: body, contentType: `multipart/form-data; boundary=${b}` } }, location: 'body:multipart:did' };
    }
    case 'protobuf': {
      const inner = Buffer.concat([pbField(1, Buffer.from('android')), pbField(3, Buffer.from(text))]);
      const body = Buffer.concat([pbVarintField(1, 7), pbField(2, inner)]);
      return { request: { url: 'https://api.tracker.test/t', headers, body: { bytes: body, contentType: 'application/x-protobuf' } }, location: 'body:protobuf:2.3' };
    }
    case 'ws':
      return { request: { url: 'wss://api.tracker.test/ws', headers, websocket: [Buffer.from('{"hello":1}'), Buffer.from(`{"did":"${text}"}`)] }, location: 'ws:1:json:$.did' };
  }
}

export function pbVarint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

export function pbField(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([pbVarint(field * 8 + 2), pbVarint(bytes.length), bytes]);
}

export function pbVarintField(field: number, value: number): Buffer {
  return Buffer.concat([pbVarint(field * 8), pbVarint(value)]);
}

export function pbDoubleField(field: number, value: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(value);
  return Buffer.concat([pbVarint(field * 8 + 1), b]);
}

export { gzipSync };

import { createCipheriv, createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import type { IdentifierHit } from '../../../contracts/bundle-schema.js';
import { IdentifierDetector, type RequestContent } from './identifier-detector.js';
import { prng } from '../test-support/synthetic-traffic.js';

const IMEI = '358240051111110';
const ANDROID_ID = '9774d56d682e549c';
const OAID = '38400000-8cf0-11bd-b23e-10b96e40000d';
const MAC = '02:00:00:4a:7b:1c';
const detector = IdentifierDetector.fromIdentifiers({
  'device-id': [IMEI],
  'android-id': [ANDROID_ID],
  'advertising-id': [OAID],
  'mac-address': [MAC],
  location: ['39.904213,116.407412'],
});
const JSON_HEADERS: [string, string][] = [['content-type', 'application/json']];
const post = (body: string | Buffer, contentType = 'application/json'): RequestContent => ({
  url: 'https://collect.tracker.test/v3/report',
  headers: [['host', 'collect.tracker.test'], ['user-agent', 'okhttp/4.12.0']],
  body: { bytes: Buffer.from(body), contentType },
});
const seen = (hits: IdentifierHit[]) => hits.map((h) => `${h.dataType} ${h.form} ${h.location}`).sort();

/** Adds filler until the encoding shows `want` (so a test really has '/', '+', '-' or '_' in it). */
function withChar(payload: Record<string, unknown>, encode: (s: string) => string, want: RegExp): string {
  for (let i = 0; i < 200; i += 1) {
    const encoded = encode(JSON.stringify({ ...payload, pad: '?'.repeat(i) }));
    if (want.test(encoded)) return encoded;
  }
  throw new Error('no filler gave the wanted character');
}

/** Deterministic bytes for negative corpora. */
function seededBytes(rand: () => number, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 1) out[i] = Math.floor(rand() * 256);
  return out;
}

describe('identifiers inside encoded payloads', () => {
  it('finds the IMEI and Android ID in an Umeng-like envelope whose "data" is base64 JSON (org.json escapes "/")', () => {
    const inner = { device: { imei: IMEI, android_id: ANDROID_ID, os: 'Android', os_version: '14' }, ts: 1750000000123 };
    const data = withChar(inner, (s) => Buffer.from(s).toString('base64'), /\//);
    // Android's org.json writes "/" as "\/": the raw bytes never hold the base64 text as is.
    const body = JSON.stringify({ header: { appkey: '5f1a2b3c4d5e6f7a8b9c0d1e', sdk_version: '9.6.3' }, data }).replace(/\//g, '\\/');
    expect(seen(detector.scanRequest(post(body)))).toEqual([
      'android-id plain body:json:$.data|base64:json:$.device.android_id',
      'device-id plain body:json:$.data|base64:json:$.device.imei',
    ]);
  });

  it('finds identifiers in a whole body that is base64 of gzip of JSON (Pangle-like)', () => {
    const inner = JSON.stringify({ app: { id: '5001121' }, device: { oaid: OAID, mac: MAC.toUpperCase(), geo: { lat: 39.904213, lon: 116.407412 } } });
    const body = gzipSync(inner).toString('base64');
    const hits = detector.scanRequest(post(body, 'application/octet-stream'));
    expect(seen(hits)).toEqual([
      'advertising-id plain body|base64|gzip:json:$.device.oaid',
      'location lat:decimal-6 body|base64|gzip:json:$.device.geo.lat',
      'location lon:decimal-6 body|base64|gzip:json:$.device.geo.lon',
      'mac-address upper body|base64|gzip:json:$.device.mac',
    ]);
    expect(hits.find((h) => h.dataType === 'advertising-id')?.value).toBe(OAID);
  });

  it('finds the OAID in a query parameter, or a path segment, holding base64url JSON', () => {
    const p = withChar({ oaid: OAID, ch: 'huawei' }, (s) => Buffer.from(s).toString('base64url'), /[-_]/);
    const hits = detector.scanRequest({ url: `https://log.tracker.test/b?v=2&p=${p}`, headers: [] });
    expect(hits).toEqual([{ dataType: 'advertising-id', form: 'plain', location: 'url:query:p|base64url:json:$.oaid', value: OAID }]);
    const inPath = detector.scanRequest({ url: `https://log.tracker.test/v1/e/${p}/track`, headers: [] });
    expect(inPath).toEqual([{ dataType: 'advertising-id', form: 'plain', location: 'url:path|base64url:json:$.oaid', value: OAID }]);
  });

  it('finds the IMEI in a form field holding hex of JSON, and its MD5 in another', () => {
    const md5 = createHash('md5').update(IMEI).digest('hex');
    const hex = Buffer.from(JSON.stringify({ imei: IMEI, h: md5 })).toString('hex');
    const hits = detector.scanRequest(post(`t=1750000000&d=${hex}`, 'application/x-www-form-urlencoded'));
    expect(seen(hits)).toEqual(['device-id md5 body:form:d|hex:json:$.h', 'device-id plain body:form:d|hex:json:$.imei']);
  });

  it('follows a layer inside a layer, and a base64 form value percent-encoded in a form body', () => {
    const inner = Buffer.from(JSON.stringify({ imei: IMEI })).toString('base64');
    const outer = withChar({ inner }, (s) => Buffer.from(s).toString('base64'), /[+/=]/);
    const hits = detector.scanRequest(post(new URLSearchParams({ e: 'launch', data: outer }).toString(), 'application/x-www-form-urlencoded'));
    expect(seen(hits)).toEqual(['device-id plain body:form:data|base64:json:$.inner|base64:json:$.imei']);
  });

  it("finds the Android ID in a JWT's payload and in Android's line-wrapped base64", () => {
    const payload = Buffer.from(JSON.stringify({ sub: 'user-1', aid: ANDROID_ID, iat: 1750000000 })).toString('base64url');
    const jwt = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${payload}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk`;
    const [jwtHit] = detector.scanRequest({ headers: [['Authorization', `Bearer ${jwt}`]] });
    expect(jwtHit?.location).toMatch(/^header:authorization\|base64(url)?:json:\$\.aid$/);
    const wrapped = (Buffer.from(JSON.stringify({ id: ANDROID_ID, pad: 'x'.repeat(120) })).toString('base64').match(/.{1,76}/g) ?? []).join('\n');
    expect(seen(detector.scanRequest(post(JSON.stringify({ payload: `${wrapped}\n` }))))).toEqual(['android-id plain body:json:$.payload|base64:json:$.id']);
  });

  it('still reports base64 of the bare value once, as the base64 form where it was found', () => {
    const b64 = Buffer.from(IMEI).toString('base64');
    expect(detector.scanRequest({ headers: [['x-did', b64]] })).toEqual([{ dataType: 'device-id', form: 'base64', location: 'header:x-did', value: IMEI }]);
    const hex = Buffer.from(OAID).toString('hex');
    expect(seen(detector.scanRequest(post(JSON.stringify({ d: hex }))))).toEqual(['advertising-id hex body:json:$.d']);
  });

  it('finds nothing in random base64 blobs, in JSON, form fields, headers or whole bodies', () => {
    const rand = prng(4242);
    const noisy: string[] = [];
    for (let i = 0; i < 1500; i += 1) {
      const blob = seededBytes(rand, 12 + Math.floor(rand() * 400));
      const requests = [
        post(JSON.stringify({ data: blob.toString('base64'), sig: blob.toString('hex') })),
        post(`d=${encodeURIComponent(blob.toString('base64'))}`, 'application/x-www-form-urlencoded'),
        { url: `https://t.test/b?p=${blob.toString('base64url')}`, headers: [['x-sign', blob.toString('base64')]] as [string, string][] },
        post(blob.toString('base64'), 'text/plain'),
      ];
      for (const r of requests) {
        const hits = detector.scanRequest(r);
        if (hits.length > 0) noisy.push(JSON.stringify(hits));
      }
    }
    expect(noisy).toEqual([]);
  });

  it('finds nothing in a base64 PNG avatar or in base64 of AES output that hides the IMEI', () => {
    const png = new PNG({ width: 64, height: 64 });
    const rand = prng(5);
    for (let i = 0; i < png.data.length; i += 1) png.data[i] = Math.floor(rand() * 256);
    const avatar = PNG.sync.write(png).toString('base64');
    expect(detector.scanRequest(post(JSON.stringify({ avatar, uid: 'u-123' })))).toEqual([]);
    // Ciphertext is not decodable text: an identifier inside it is not claimed (the key is the app's).
    const cipher = createCipheriv('aes-128-cbc', Buffer.alloc(16, 7), Buffer.alloc(16, 1));
    const aes = Buffer.concat([cipher.update(JSON.stringify({ imei: IMEI, aid: ANDROID_ID })), cipher.final()]);
    expect(detector.scanRequest(post(JSON.stringify({ data: aes.toString('base64') })))).toEqual([]);
    expect(detector.scanRequest(post(aes.toString('base64'), 'application/octet-stream'))).toEqual([]);
  });

  it('stays within its budget on a 16 MB base64 body: random bytes give nothing, text is read as a prefix', () => {
    const random = seededBytes(prng(16), 12 * 1024 * 1024).toString('base64');
    expect(random.length).toBe(16 * 1024 * 1024);
    expect(detector.scanRequest(post(random, 'application/octet-stream'))).toEqual([]);
    // 16 MB of base64 text: the IMEI near the start is found (the cut JSON gives no path), the
    // one past the per-flow budget is not decoded at all.
    const filler = `{"imei":"${IMEI}","log":[${'"ok",'.repeat(2_500_000)}"end"],"aid":"${ANDROID_ID}"}`;
    const hits = detector.scanRequest(post(Buffer.from(filler).toString('base64'), 'application/octet-stream'));
    expect(hits).toEqual([{ dataType: 'device-id', form: 'plain', location: 'body|base64', value: IMEI }]);
  });

  it('finds nothing new in requests without identifiers (headers and bodies full of ids and hashes)', () => {
    const rand = prng(77);
    const hits: IdentifierHit[] = [];
    for (let i = 0; i < 500; i += 1) {
      const other = JSON.stringify({ imei: String(Math.floor(rand() * 1e15)).padStart(15, '1'), aid: seededBytes(rand, 8).toString('hex') });
      hits.push(
        ...detector.scanRequest({
          url: `https://t.test/b?p=${Buffer.from(other).toString('base64url')}`,
          headers: [['x-sig', createHash('sha256').update(other).digest('hex')], ...JSON_HEADERS],
          body: { bytes: Buffer.from(JSON.stringify({ d: Buffer.from(other).toString('base64'), h: createHash('md5').update(other).digest('hex') })), contentType: 'application/json' },
        }),
      );
    }
    expect(hits).toEqual([]);
  });
});

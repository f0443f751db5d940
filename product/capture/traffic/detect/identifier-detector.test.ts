import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdentifierDetector } from './identifier-detector.js';
import { expandIdentifierForms, roundDecimal, truncateDecimal } from './identifier-forms.js';
import {
  PLANT_LOCATIONS,
  SAMPLE_IDENTIFIERS,
  cleanRequest,
  pbDoubleField,
  pbField,
  plant,
  prng,
} from '../test-support/synthetic-traffic.js';

const detector = IdentifierDetector.fromIdentifiers(SAMPLE_IDENTIFIERS);
const forms = expandIdentifierForms(SAMPLE_IDENTIFIERS);

describe('identifier forms', () => {
  it('covers the forms of data-types.md for a MAC address', () => {
    const mac = forms.filter((f) => f.dataType === 'mac-address').map((f) => f.text);
    expect(mac).toEqual(
      expect.arrayContaining([
        '02:00:00:4a:7b:1c',
        '02:00:00:4A:7B:1C',
        '0200004a7b1c',
        '0200004A7B1C',
        '02-00-00-4a-7b-1c',
        '02%3A00%3A00%3A4a%3A7b%3A1c',
        Buffer.from('02:00:00:4a:7b:1c').toString('base64'),
        Buffer.from('02:00:00:4a:7b:1c').toString('hex'),
      ]),
    );
    const md5OfUpper = forms.find((f) => f.dataType === 'mac-address' && f.form === 'md5/upper');
    expect(md5OfUpper?.text).toBe(createHash('md5').update('02:00:00:4A:7B:1C').digest('hex'));
    expect(forms.some((f) => f.form === 'sha256-upper/no-separators-upper')).toBe(true);
  });

  it('gives base64 in standard and URL-safe alphabets, padded and not', () => {
    const id = forms.filter((f) => f.dataType === 'android-id');
    const raw = Buffer.from('9774d56d682e549c');
    expect(id.find((f) => f.form === 'base64')?.text).toBe(raw.toString('base64'));
    expect(raw.toString('base64')).toMatch(/==$/);
    expect(id.find((f) => f.form === 'base64-unpadded')?.text).toBe(raw.toString('base64').replace(/=+$/, ''));
    const odd = expandIdentifierForms({ serial: ['??>>~~seria'] });
    expect(odd.find((f) => f.form === 'base64')?.text).toBe('Pz8+Pn5+c2VyaWE=');
    expect(odd.find((f) => f.form === 'base64url-unpadded')?.text).toBe('Pz8-Pn5-c2VyaWE');
  });

  it('rounds and truncates coordinates on the decimal text', () => {
    expect(truncateDecimal('39.904213', 2)).toBe('39.90');
    expect(truncateDecimal('116.4', 4)).toBe('116.4000');
    expect(roundDecimal('39.904213', 5)).toBe('39.90421');
    expect(roundDecimal('39.904215', 5)).toBe('39.90422');
    expect(roundDecimal('-33.868849', 4)).toBe('-33.8688');
    expect(roundDecimal('-33.86885', 4)).toBe('-33.8689');
    expect(roundDecimal('9.999', 2)).toBe('10.00');
  });
});

describe('identifier detection', () => {
  const nonLocation = forms.filter((f) => f.dataType !== 'location');

  it.each(PLANT_LOCATIONS)('finds every form of every identifier planted in the %s', (where) => {
    const missed: string[] = [];
    for (const form of nonLocation) {
      const { request, location } = plant(form.text, where);
      const hits = detector.scanRequest(request);
      const ok = hits.some((h) => h.dataType === form.dataType && h.value === form.value && h.location === location);
      if (!ok) missed.push(`${form.dataType} ${form.form} ${form.text} → ${JSON.stringify(hits)}`);
    }
    expect(missed).toEqual([]);
  });

  it('names the form it found', () => {
    const { request } = plant('0200004A7B1C', 'json');
    const hits = detector.scanRequest(request);
    expect(hits).toContainEqual({ dataType: 'mac-address', form: 'no-separators-upper', location: 'body:json:$.dev.id', value: '02:00:00:4a:7b:1c' });
  });

  it('finds an IMEI in a query string, a header and a cookie of one request', () => {
    const hits = detector.scanRequest({
      url: 'https://t.test/a?imei=358240051111110',
      headers: [['X-Imei', '358240051111110'], ['Cookie', 'x=1; imei=358240051111110']],
    });
    expect(hits.map((h) => h.location).sort()).toEqual(['cookie:imei', 'header:x-imei', 'url:query:imei']);
  });

  it('reports a value sent once as one hit', () => {
    const b64 = Buffer.from('9774d56d682e549c').toString('base64');
    expect(b64).toMatch(/==$/);
    expect(detector.scanRequest({ headers: [['x-aid', b64]] })).toEqual([{ dataType: 'android-id', form: 'base64', location: 'header:x-aid', value: '9774d56d682e549c' }]);
    expect(detector.scanRequest({ url: 'https://t.test/a?mac=02%3A00%3A00%3A4a%3A7b%3A1c' })).toEqual([
      { dataType: 'mac-address', form: 'plain', location: 'url:query:mac', value: '02:00:00:4a:7b:1c' },
    ]);
    // two different forms of one value in one field are two hits
    const both = detector.scanRequest({ headers: [['x-ids', `358240051111110|${createHash('md5').update('358240051111110').digest('hex')}`]] });
    expect(both.map((h) => h.form).sort()).toEqual(['md5', 'plain']);
  });

  it('does not take a longer number for the IMEI', () => {
    expect(detector.scanRequest({ url: 'https://t.test/a?n=13582400511111109' })).toEqual([]);
    expect(detector.scanRequest({ headers: [['x', 'id9774d56d682e549cff']] })).toEqual([]);
  });

  it('reports a location only when latitude and longitude travel together', () => {
    const both = detector.scanRequest({ url: 'https://t.test/g?lat=39.9042&lng=116.4074' });
    expect(both.map((h) => `${h.location} ${h.form}`).sort()).toEqual([
      'url:query:lat lat:decimal-4',
      'url:query:lng lon:decimal-4',
    ]);
    expect(detector.scanRequest({ url: 'https://t.test/g?lat=39.9042&lng=12.5' })).toEqual([]);
    // 139.90... is not 39.90, and a rounded form must end where the number ends.
    expect(detector.scanRequest({ url: 'https://t.test/g?a=139.9042&b=116.4074' })).toEqual([]);
    const rounded = detector.scanRequest({ url: 'https://t.test/g?a=39.90421&b=116.40741' });
    expect(rounded.map((h) => h.form).sort()).toEqual(['lat:decimal-5', 'lon:decimal-5']);
  });

  it('finds coordinates sent as protobuf doubles', () => {
    const body = Buffer.concat([pbField(1, Buffer.from('x')), pbDoubleField(4, 39.904213), pbDoubleField(5, 116.407412)]);
    const hits = detector.scanRequest({ body: { bytes: body, contentType: 'application/x-protobuf' } });
    expect(hits.filter((h) => h.dataType === 'location').map((h) => h.location)).toEqual(
      expect.arrayContaining(['body:protobuf:4', 'body:protobuf:5']),
    );
  });

  it('finds an identifier split across stream chunks', () => {
    const text = Buffer.from('{"a":"xx","android_id":"9774d56d682e549c","b":1}');
    for (let cut = 1; cut < text.length; cut += 1) {
      const c = detector.container('body');
      c.write(text.subarray(0, cut));
      c.write(text.subarray(cut));
      const hits = c.finish();
      expect(hits.map((h) => h.dataType), `cut at ${cut}`).toEqual(['android-id']);
    }
    // and the boundary rule still holds across the cut
    const bad = Buffer.from('x9774d56d682e549c');
    const c = detector.container('body');
    c.write(bad.subarray(0, 1));
    c.write(bad.subarray(1));
    expect(c.finish()).toEqual([]);
  });

  it('finds nothing in a clean corpus of realistic requests', () => {
    const rand = prng(7);
    const noisy: string[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const request = cleanRequest(rand);
      const hits = detector.scanRequest(request);
      if (hits.length > 0) noisy.push(JSON.stringify({ url: request.url, hits }));
    }
    expect(noisy).toEqual([]);
  });

  it('finds nothing when the device has no known identifiers', () => {
    const empty = IdentifierDetector.fromIdentifiers({});
    expect(empty.scanRequest(plant('358240051111110', 'json').request)).toEqual([]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle, type Flow } from '../../product/evidence/bundle/index.js';
import { analyseFlows, defaultCaptureAdapters, loadOrCreateCaptureCa, type CaptureCa } from '../../product/capture/traffic/index.js';
import { requestThroughProxy, startOrigin, type Origin } from '../../product/capture/traffic/test-support/https-fixtures.js';
import { startTestCapture } from '../../product/capture/traffic/test-support/capture-fixtures.js';

/**
 * Identifiers that only travel inside encoded payloads, through both real capture adapters: an
 * Umeng-like envelope whose "data" is base64 JSON (the request itself gzip-encoded), a body
 * that is one base64 blob of gzip of JSON, and a query parameter holding base64url JSON. The
 * hits recorded at capture time and those of the offline re-analysis must agree.
 */

const IMEI = '358240051111110';
const ANDROID_ID = '9774d56d682e549c';
const OAID = '38400000-8cf0-11bd-b23e-10b96e40000d';
const root = mkdtempSync(join(tmpdir(), 'consentry-traffic-layers-e2e-'));
const registry = defaultCaptureAdapters();
let ca: CaptureCa;
let origin: Origin;

beforeAll(async () => {
  ca = loadOrCreateCaptureCa(join(root, 'state'));
  origin = await startOrigin();
});

afterAll(async () => {
  await origin?.close();
  rmSync(root, { recursive: true, force: true });
});

const seen = (flow: Flow | undefined) => (flow?.hits ?? []).map((h) => `${h.dataType} ${h.form} ${h.location}`).sort();

describe.each(['embedded', 'mitmproxy'])('%s capture of encoded payloads', (adapter) => {
  let flows: Flow[] = [];
  let reanalysed: Flow[] = [];
  const byPath = (list: Flow[], path: string) => list.find((f) => f.request?.url.includes(path));

  beforeAll(async () => {
    const { writer, session } = await startTestCapture({ adapter, registry, ca, capturesRoot: join(root, 'captures'), runId: `layers-${adapter}`, originCertPem: origin.certPem });
    try {
      const base = `https://localhost:${origin.port}`;
      const send = async (path: string, body?: Buffer, headers: Record<string, string> = {}) => {
        const res = await requestThroughProxy(session.capture.port, `${base}${path}`, { method: body ? 'POST' : 'GET', headers, ...(body ? { body } : {}), caPem: ca.certPem });
        expect(res.status).toBe(200);
      };
      const data = Buffer.from(JSON.stringify({ device: { imei: IMEI, android_id: ANDROID_ID } })).toString('base64');
      await send('/umeng', gzipSync(JSON.stringify({ header: { appkey: '5f1a2b3c4d5e6f7a8b9c0d1e' }, data })), { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      await send('/pangle', Buffer.from(gzipSync(JSON.stringify({ ext: { oaid: OAID } })).toString('base64')), { 'content-type': 'application/octet-stream' });
      // "??>>" puts '_' and '-' in the encoding: unmistakably the URL-safe alphabet.
      await send(`/beacon?v=2&p=${Buffer.from(JSON.stringify({ aid: ANDROID_ID, ch: 'store', q: '??>>' })).toString('base64url')}`);
      // The encoded field after 300 KB of other JSON: the offline re-analysis must read past its first chunk.
      await send('/late', Buffer.from(JSON.stringify({ log: 'x '.repeat(150_000), data })), { 'content-type': 'application/json' });
      await waitFor(() => session.recorder.stats.flows >= 4, 10_000);
    } finally {
      await session.stop();
      await writer.finish('complete');
    }
    const bundle = await readBundle(writer.dir);
    flows = bundle.flows;
    reanalysed = await analyseFlows(bundle);
  });

  it('finds the IMEI and Android ID inside the base64 "data" field of a gzip-encoded JSON request', () => {
    expect(seen(byPath(flows, '/umeng'))).toEqual([
      'android-id plain body:json:$.data|base64:json:$.device.android_id',
      'device-id plain body:json:$.data|base64:json:$.device.imei',
    ]);
  });

  it('finds the OAID in a body that is base64 of gzip of JSON', () => {
    expect(seen(byPath(flows, '/pangle'))).toEqual(['advertising-id plain body|base64|gzip:json:$.ext.oaid']);
  });

  it('finds the Android ID in a query parameter holding base64url JSON', () => {
    expect(seen(byPath(flows, '/beacon'))).toEqual(['android-id plain url:query:p|base64url:json:$.aid']);
  });

  it('finds an encoded field that starts 300 KB into the body', () => {
    expect(seen(byPath(flows, '/late'))).toEqual([
      'android-id plain body:json:$.data|base64:json:$.device.android_id',
      'device-id plain body:json:$.data|base64:json:$.device.imei',
    ]);
  });

  it('finds the same hits again when the bundle is analysed offline', () => {
    for (const path of ['/umeng', '/pangle', '/beacon', '/late']) expect(seen(byPath(reanalysed, path)), path).toEqual(seen(byPath(flows, path)));
  });
});

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BundleWriter, bodyPath, readBundle } from '../../evidence/bundle/index.js';
import { runMeta } from '../../evidence/bundle/test-support/factories.js';
import { SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { DestinationAttributor } from './flow-attribution.js';
import { IdentifierDetector } from './detect/identifier-detector.js';
import { FlowRecorder } from './flow-recorder.js';
import { analyseFlows, summariseTraffic } from './analyze-flows.js';
import { exportHar } from './har.js';
import type { CapturedExchangeInput } from './exchange.js';
import { CapturedExchange } from './exchange.js';
import { SAMPLE_IDENTIFIERS, pbField, pbVarintField } from './test-support/synthetic-traffic.js';

const root = mkdtempSync(join(tmpdir(), 'consentry-recorder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const catalogue = new SdkCatalogue([
  { id: 'umeng', name: 'Umeng', vendor: 'Umeng Inc.', aliases: [], packages: ['com.umeng'], domains: ['umeng.com'], category: 'analytics' },
]);

function exchange(over: Partial<CapturedExchangeInput> = {}): CapturedExchange {
  return CapturedExchange.parse({
    t: 1_750_000_000_000,
    tEnd: 1_750_000_000_120,
    client: { ip: '127.0.0.1', port: 50000 },
    server: { host: 'alog.umeng.com', port: 443 },
    scheme: 'https',
    tls: { sni: 'alog.umeng.com', alpn: 'h2' },
    request: { method: 'POST', url: 'https://alog.umeng.com/app_logs', headers: [['content-type', 'application/json']], body: Buffer.alloc(0) },
    response: { status: 200, headers: [['content-type', 'application/json']], body: Buffer.from('{"ok":1}') },
    ...over,
  });
}

function recorderFor(name: string) {
  const writer = BundleWriter.create(root, runMeta({ runId: name, outcome: 'running', identifiers: SAMPLE_IDENTIFIERS, app: { package: 'com.example.shop' } }));
  const recorder = new FlowRecorder({
    sink: writer,
    detector: IdentifierDetector.fromIdentifiers(SAMPLE_IDENTIFIERS),
    attributor: new DestinationAttributor({ appPackage: 'com.example.shop', catalogue }),
    limits: { maxBytes: 1024 * 1024, maxRatio: 100, ratioFloorBytes: 64 * 1024 },
  });
  return { writer, recorder };
}

describe('flow recorder', () => {
  it('stores the decoded body, finds identifiers in it and names the SDK that received them', async () => {
    const { writer, recorder } = recorderFor('gzip');
    const body = gzipSync(JSON.stringify({ header: { imei: '358240051111110', mc: '02:00:00:4a:7b:1c' } }));
    const flow = await recorder.record(exchange({ request: { method: 'POST', url: 'https://alog.umeng.com/app_logs', headers: [['Content-Type', 'application/json'], ['Content-Encoding', 'gzip']], body } }));
    expect(flow.request!.body.decodedFrom).toBe('gzip');
    expect(JSON.parse(readFileSync(bodyPath(writer.dir, flow.request!.body.sha256!), 'utf8')).header.imei).toBe('358240051111110');
    expect(flow.hits.map((h) => `${h.dataType}@${h.location}`).sort()).toEqual(['device-id@body:json:$.header.imei', 'mac-address@body:json:$.header.mc']);
    expect(flow.destination).toMatchObject({ party: 'sdk', sdk: 'umeng', vendor: 'Umeng Inc.' });
    expect(flow.tls).toEqual({ sni: 'alog.umeng.com', alpn: 'h2' });
    await writer.finish('complete');
  });

  it('still finds identifiers in the readable part of a truncated gzip body', async () => {
    const { writer, recorder } = recorderFor('truncated');
    const gz = gzipSync(`{"aid":"9774d56d682e549c","pad":"${randomBytes(60_000).toString('hex')}"}`);
    const flow = await recorder.record(exchange({ request: { method: 'POST', url: 'https://x.test/u', headers: [['content-encoding', 'gzip']], body: gz.subarray(0, gz.length - 20) } }));
    expect(flow.request!.body.truncated).toBe(true);
    expect(flow.request!.body.decodeError).toMatch(/truncated/);
    expect(flow.hits.map((h) => h.dataType)).toEqual(['android-id']);
    await writer.finish('complete');
  });

  it('bounds a decompression bomb and records why', async () => {
    const { writer, recorder } = recorderFor('bomb');
    const bomb = brotliCompressSync(Buffer.alloc(20 * 1024 * 1024, 0x41));
    const flow = await recorder.record(exchange({ request: { method: 'POST', url: 'https://x.test/u', headers: [['content-encoding', 'br']], body: bomb } }));
    expect(flow.request!.body.decodeError).toMatch(/bomb guard/);
    expect(flow.request!.body.size).toBeLessThanOrEqual(1024 * 1024);
    await writer.finish('complete');
  });

  it('records WebSocket messages and scans what the client sent', async () => {
    const { writer, recorder } = recorderFor('ws');
    const flow = await recorder.record(
      exchange({
        scheme: 'wss',
        websocket: [
          { t: 1_750_000_000_010, fromClient: true, content: Buffer.from('{"hello":"x"}') },
          { t: 1_750_000_000_020, fromClient: false, content: Buffer.from('{"echo":"358240051111110"}') },
          { t: 1_750_000_000_030, fromClient: true, content: Buffer.concat([pbVarintField(1, 1), pbField(4, Buffer.from('38400000-8cf0-11bd-b23e-10b96e40000d'))]) },
        ],
      }),
    );
    expect(flow.websocket).toHaveLength(3);
    expect(flow.websocket!.every((m) => m.sha256)).toBe(true);
    // The server echoing the IMEI back is not the phone sending it.
    expect(flow.hits).toEqual([{ dataType: 'advertising-id', form: 'plain', location: 'ws:1:protobuf:4', value: '38400000-8cf0-11bd-b23e-10b96e40000d' }]);
    await writer.finish('complete');
  });

  it('records a TLS failure as a flow with a stable cause', async () => {
    const { writer, recorder } = recorderFor('tls');
    const flow = await recorder.record(CapturedExchange.parse({ t: 1, server: { host: 'pinned.example.net', port: 443 }, scheme: 'https', tls: { sni: 'pinned.example.net', failure: 'cert-rejected', failureDetail: 'alert unknown ca' } }));
    expect(flow.tls!.error).toMatch(/^cert-rejected: /);
    expect(flow.request).toBeUndefined();
    expect(recorder.stats.tlsFailures).toBe(1);
    await writer.finish('complete');
  });

  it('re-analyses a bundle offline to the same hits, and exports HAR', async () => {
    const { writer, recorder } = recorderFor('offline');
    const body = Buffer.from(new URLSearchParams({ oaid: '38400000-8CF0-11BD-B23E-10B96E40000D', lat: '39.904', lng: '116.407' }).toString());
    recorder.accept(exchange({ request: { method: 'POST', url: 'https://api.shop.example.com/x?sn=R58M123ABCD', headers: [['content-type', 'application/x-www-form-urlencoded'], ['Cookie', 'aid=9774d56d682e549c']], body } }));
    recorder.accept(exchange({ server: { host: 'connectivitycheck.gstatic.com', port: 443 }, request: { method: 'GET', url: 'https://connectivitycheck.gstatic.com/generate_204', headers: [], body: Buffer.alloc(0) } }));
    await recorder.drain();
    await writer.finish('complete');
    const bundle = await readBundle(writer.dir);
    const again = await analyseFlows(bundle);
    expect(again.map((f) => f.hits)).toEqual(bundle.flows.map((f) => f.hits));
    expect(again[0]!.hits.map((h) => `${h.dataType} ${h.location}`).sort()).toEqual([
      'advertising-id body:form:oaid',
      'android-id cookie:aid',
      'location body:form:lat',
      'location body:form:lng',
      'serial url:query:sn',
    ]);
    expect(again.map((f) => f.origin.tag)).toEqual(['unknown', 'system']);
    const summary = summariseTraffic(again);
    expect(summary).toMatchObject({ flows: 2, flowsWithHits: 1, tlsFailures: 0 });
    expect(summary.dataTypesByHost['serial']).toEqual(['alog.umeng.com']);
    const har = exportHar(bundle);
    expect(har.log.entries).toHaveLength(2);
    expect(har.log.entries[0]!.request.postData?.mimeType).toBe('application/x-www-form-urlencoded');
    expect(har.log.entries[0]!.request.cookies).toEqual([{ name: 'aid', value: '9774d56d682e549c' }]);
  });

  it('tags traffic before the app was first launched as system traffic when re-analysing', async () => {
    const { writer, recorder } = recorderFor('before-launch');
    await recorder.record(exchange({ t: 1_000, tEnd: 1_100 }));
    await recorder.record(exchange({ t: 5_000, tEnd: 5_100 }));
    writer.addMarker({ t: 2_000, kind: 'app.launch', label: 'launch' });
    await writer.finish('complete');
    const again = await analyseFlows(await readBundle(writer.dir));
    expect(again.map((f) => f.origin.tag)).toEqual(['system', 'unknown']);
  });

  it('finds identifiers the agents observed during the run when re-analysing', async () => {
    const { writer, recorder } = recorderFor('extra');
    await recorder.record(exchange({ request: { method: 'GET', url: 'https://x.test/?ssid=Office-Guest-7', headers: [], body: Buffer.alloc(0) } }));
    await writer.finish('complete');
    const bundle = await readBundle(writer.dir);
    expect(bundle.flows[0]!.hits).toEqual([]);
    const again = await analyseFlows(bundle, { extraIdentifiers: { 'wifi-network': ['"Office-Guest-7"'] } });
    expect(again[0]!.hits).toEqual([{ dataType: 'wifi-network', form: 'plain', location: 'url:query:ssid', value: '"Office-Guest-7"' }]);
  });
});

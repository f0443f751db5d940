import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleWriter, readBundle, bodyPath, type Flow } from '../../product/evidence/bundle/index.js';
import { runMeta } from '../../product/evidence/bundle/test-support/factories.js';
import { loadOrCreateCaptureCa, startStandbyProxy, startTrafficSession, defaultCaptureAdapters, exportHar, type CaptureCa } from '../../product/capture/traffic/index.js';
import { runProcess } from '../../product/core/process.js';
import { SAMPLE_IDENTIFIERS } from '../../product/capture/traffic/test-support/synthetic-traffic.js';
import { connectThroughProxy, requestThroughProxy, startOrigin, type Origin } from '../../product/capture/traffic/test-support/https-fixtures.js';
import { webSocketExchange } from '../../product/capture/traffic/test-support/websocket-fixtures.js';
import { startTestCapture } from '../../product/capture/traffic/test-support/capture-fixtures.js';

/**
 * Both capture adapters, end to end: a real proxy on a free loopback port, a local HTTPS origin
 * with its own certificate, and a client that tunnels through the proxy with CONNECT trusting
 * the capture CA (as a device with the CA installed does), or not trusting it (as a pinned app
 * behaves).
 */

const root = mkdtempSync(join(tmpdir(), 'consentry-traffic-e2e-'));
let ca: CaptureCa;
let origin: Origin;
const flowsByAdapter = new Map<string, Flow[]>();

beforeAll(async () => {
  ca = loadOrCreateCaptureCa(join(root, 'state'));
  origin = await startOrigin();
});

afterAll(async () => {
  await origin?.close();
  rmSync(root, { recursive: true, force: true });
});

const registry = defaultCaptureAdapters();

describe.each(['embedded', 'mitmproxy'])('%s capture', (adapter) => {
  let bundleDir = '';
  let flows: Flow[] = [];

  beforeAll(async () => {
    const { writer, session } = await startTestCapture({
      adapter,
      registry,
      ca,
      capturesRoot: join(root, 'captures'),
      runId: `run-${adapter}`,
      originCertPem: origin.certPem,
      nativeFlows: true,
      limits: { maxBytes: 1024 * 1024, maxRatio: 200, ratioFloorBytes: 1024 * 1024 },
    });
    try {
      const base = `https://localhost:${origin.port}`;
      const body = gzipSync(Buffer.from(JSON.stringify({ device: { aid: '9774d56d682e549c', mac: '0200004A7B1C' }, geo: { lat: 39.9042, lng: 116.4074 } })));
      const res = await requestThroughProxy(session.capture.port, `${base}/collect?imei=358240051111110&v=2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-oaid': 'none' },
        body,
        caPem: ca.certPem,
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body.toString()).received).toBe(body.length);
      const big = Buffer.from(`{"imei":"358240051111110","pad":"${'ab12'.repeat(400_000)}"}`);
      const upload = await requestThroughProxy(session.capture.port, `${base}/upload`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big, caPem: ca.certPem });
      expect(JSON.parse(upload.body.toString()).received).toBe(big.length);
      const tunnel = await connectThroughProxy(session.capture.port, 'localhost', origin.port, ca.certPem);
      const echoes = await webSocketExchange(tunnel, `localhost:${origin.port}`, '/ws', ['{"hello":"device"}', '{"oaid":"38400000-8cf0-11bd-b23e-10b96e40000d"}']);
      expect(echoes).toEqual(['echo:{"hello":"device"}', 'echo:{"oaid":"38400000-8cf0-11bd-b23e-10b96e40000d"}']);
      const clean = await requestThroughProxy(session.capture.port, `${base}/config?v=3`, { caPem: ca.certPem });
      expect(clean.status).toBe(200);
      // A client that does not trust the capture CA (a pinned app): the handshake is refused.
      await expect(connectThroughProxy(session.capture.port, 'localhost', origin.port, undefined)).rejects.toThrow();
      // A client that answers the certificate with a TLS alert, as Android's platform verifier does.
      const alerting = await runProcess(
        'openssl',
        ['s_client', '-proxy', `127.0.0.1:${session.capture.port}`, '-connect', `localhost:${origin.port}`, '-servername', 'localhost', '-verify_return_error', '-CAfile', origin.certFile],
        { okCodes: [0, 1], timeoutMs: 15_000, input: '' },
      );
      expect(alerting.code).toBe(1);
      // Give the proxy a moment to notice the dropped connections before it is stopped.
      await waitFor(() => session.recorder.stats.tlsFailures >= 2 && session.recorder.stats.flows >= 6, 10_000);
    } finally {
      const stats = await session.stop();
      writer.updateRun({ coverage: { traffic: 'active', tlsFailures: stats.tlsFailures }, tools: session.capture.versions });
      await writer.finish('complete');
    }
    bundleDir = writer.dir;
    flows = (await readBundle(bundleDir)).flows;
    flowsByAdapter.set(adapter, flows);
  });

  it('records the request and response with decoded, content-addressed bodies', () => {
    const flow = flows.find((f) => f.request?.url.includes('/collect'))!;
    expect(flow).toBeDefined();
    expect(flow.request!.method).toBe('POST');
    expect(flow.request!.url).toBe(`https://localhost:${origin.port}/collect?imei=358240051111110&v=2`);
    expect(flow.request!.body.decodedFrom).toBe('gzip');
    const stored = readFileSync(bodyPath(bundleDir, flow.request!.body.sha256!), 'utf8');
    expect(JSON.parse(stored).device.aid).toBe('9774d56d682e549c');
    expect(flow.response!.status).toBe(200);
    expect(JSON.parse(readFileSync(bodyPath(bundleDir, flow.response!.body.sha256!), 'utf8')).ok).toBe(true);
    expect(flow.server).toMatchObject({ host: 'localhost', port: origin.port });
    expect(flow.scheme).toBe('https');
    expect(flow.tls?.sni).toBe('localhost');
    expect(flow.client?.ip).toBe('127.0.0.1');
    expect(flow.t).toBeLessThanOrEqual(flow.tEnd!);
  });

  it('finds the planted identifiers and where they were', () => {
    const flow = flows.find((f) => f.request?.url.includes('/collect'))!;
    const seen = flow.hits.map((h) => `${h.dataType} ${h.form} ${h.location}`).sort();
    expect(seen).toEqual([
      'android-id plain body:json:$.device.aid',
      'device-id plain url:query:imei',
      'location lat:decimal-4 body:json:$.geo.lat',
      'location lon:decimal-4 body:json:$.geo.lng',
      'mac-address no-separators-upper body:json:$.device.mac',
    ]);
    const clean = flows.find((f) => f.request?.url.includes('/config'))!;
    expect(clean.hits).toEqual([]);
  });

  it('records refused handshakes as TLS failure flows', () => {
    const failures = flows.filter((f) => f.tls?.error);
    expect(failures).toHaveLength(2);
    for (const f of failures) {
      expect(f.tls!.error).toMatch(/^(closed-after-handshake|cert-rejected|reset): /);
      expect(f.server).toMatchObject({ host: 'localhost', port: origin.port });
      expect(f.request).toBeUndefined();
    }
    // The alerting client names the cause exactly.
    expect(failures.some((f) => f.tls!.error!.startsWith('cert-rejected: '))).toBe(true);
  });

  it('cuts a body above the size cap, says so, and still scans what it kept', () => {
    const flow = flows.find((f) => f.request?.url.endsWith('/upload'))!;
    expect(flow.request!.body).toMatchObject({ size: 1024 * 1024, truncated: true });
    expect(flow.hits).toEqual([{ dataType: 'device-id', form: 'plain', location: 'body', value: '358240051111110' }]);
  });

  it('records WebSocket messages in both directions and finds identifiers in what the client sent', () => {
    const flow = flows.find((f) => f.scheme === 'wss')!;
    expect(flow).toBeDefined();
    expect(flow.request!.url).toBe(`https://localhost:${origin.port}/ws`);
    expect(flow.response!.status).toBe(101);
    // How the two directions interleave depends on the proxy; each direction keeps its order.
    const text = (fromClient: boolean) => flow.websocket!.filter((m) => m.fromClient === fromClient).map((m) => readFileSync(bodyPath(bundleDir, m.sha256!), 'utf8'));
    expect(text(true)).toEqual(['{"hello":"device"}', '{"oaid":"38400000-8cf0-11bd-b23e-10b96e40000d"}']);
    expect(text(false)).toEqual(['echo:{"hello":"device"}', 'echo:{"oaid":"38400000-8cf0-11bd-b23e-10b96e40000d"}']);
    expect(flow.hits).toEqual([{ dataType: 'advertising-id', form: 'plain', location: 'ws:1:json:$.oaid', value: '38400000-8cf0-11bd-b23e-10b96e40000d' }]);
  });

  it('exports the flows as HAR 1.2', async () => {
    const har = exportHar(await readBundle(bundleDir));
    expect(har.log.version).toBe('1.2');
    const entry = har.log.entries.find((e) => e.request.url.includes('/collect'))!;
    expect(entry.request.method).toBe('POST');
    expect(entry.request.postData?.text).toContain('9774d56d682e549c');
    expect(entry.response.status).toBe(200);
    expect(entry.request.queryString).toContainEqual({ name: 'imei', value: '358240051111110' });
  });

  it.runIf(adapter === 'mitmproxy')('keeps mitmproxy\'s native flow file for mitmweb', () => {
    const file = join(bundleDir, 'flows.mitm');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeGreaterThan(100);
    expect(readFileSync(file).includes(Buffer.from('/collect?imei='))).toBe(true);
  });
});

describe('both adapters', () => {
  it('produce the same flow records', () => {
    const project = (flows: Flow[]) =>
      flows
        .map((f) => ({
          scheme: f.scheme,
          server: { host: f.server.host, port: f.server.port },
          sni: f.tls?.sni,
          // Which side saw the refusal first (RST mid-handshake vs close after it) depends on
          // timing, so the cause may differ; that the handshake was refused may not.
          tlsRefused: f.tls?.error ? /^(closed-after-handshake|cert-rejected|reset): /.test(f.tls.error) : undefined,
          method: f.request?.method,
          url: f.request?.url,
          httpVersion: f.request?.httpVersion,
          requestHeaders: f.request?.headers.map(([k, v]) => [k.toLowerCase(), v]).filter(([k]) => k !== 'connection' && k !== 'sec-websocket-key'),
          requestBody: f.request?.body,
          status: f.response?.status,
          responseBody: f.response?.body.sha256,
          hits: f.hits,
          websocket: f.websocket?.map((m) => `${m.fromClient ? '>' : '<'}${m.sha256}`).sort(),
          destination: f.destination,
          origin: f.origin,
        }))
        .sort((a, b) => String(a.url).localeCompare(String(b.url)));
    const embedded = flowsByAdapter.get('embedded');
    const mitmproxy = flowsByAdapter.get('mitmproxy');
    expect(embedded && mitmproxy).toBeTruthy();
    expect(project(mitmproxy!)).toEqual(project(embedded!));
  });
});

describe('a standby mitmproxy started before its run', () => {
  it("serves the run that takes it: the run's flows and the native flow file land in that run's bundle", async () => {
    const standby = await startStandbyProxy({ adapter: registry.get('mitmproxy')!, ca, scratchRoot: join(root, 'captures', '.standby'), upstream: { extraCaPems: [origin.certPem] } });
    await standby.ready;
    expect(standby.usable()).toBe(true);
    const base = `https://localhost:${origin.port}`;
    // Traffic before any run takes the proxy is held for that run, not lost.
    await requestThroughProxy(standby.port, `${base}/early?imei=358240051111110`, { caPem: ca.certPem });
    const writer = BundleWriter.create(join(root, 'captures'), runMeta({ runId: 'run-standby', outcome: 'running', identifiers: SAMPLE_IDENTIFIERS }));
    const session = await startTrafficSession({ standby, ca, sink: writer, app: { package: 'com.example.shop' }, identifiers: SAMPLE_IDENTIFIERS, nativeFlowFile: join(writer.dir, 'flows.mitm') });
    expect(session.capture.port).toBe(standby.port);
    await requestThroughProxy(standby.port, `${base}/collect?imei=358240051111110`, { caPem: ca.certPem });
    await waitFor(() => session.recorder.stats.flows >= 2, 10_000);
    await session.stop();
    await writer.finish('complete');
    const flows = (await readBundle(writer.dir)).flows;
    expect(flows.map((f) => new URL(f.request!.url).pathname).sort()).toEqual(['/collect', '/early']);
    for (const f of flows) expect(f.hits.map((h) => h.dataType)).toContain('device-id');
    expect(statSync(join(writer.dir, 'flows.mitm')).size).toBeGreaterThan(0);
    // Its scratch folder is gone with the hand-over.
    expect(existsSync(standby.nativeFlowFile!)).toBe(false);
  });
});

async function waitFor(predicate: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

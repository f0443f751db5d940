/**
 * Proxy throughput (benchmarks issue, item 4): requests/s and added latency for small HTTPS
 * requests through each capture adapter with the bridge and recorder active, against plain
 * `mitmdump` with no addon and against no proxy at all. Same client, same local origin, loopback
 * only, bounded request counts. Correctness first: every response must arrive intact, and each
 * consentry adapter must have recorded one flow per request.
 *
 *   npx tsx tooling/bench/traffic-proxy.ts [--requests 300] [--concurrency 4] [--rounds 2] [--trust-origin]
 */
import { once } from 'node:events';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleWriter } from '../../product/evidence/bundle/index.js';
import { runMeta } from '../../product/evidence/bundle/test-support/factories.js';
import { freePort } from '../../product/core/free-port.js';
import { startProcess, waitForLine } from '../../product/core/process.js';
import { defaultCaptureAdapters, loadOrCreateCaptureCa, startTrafficSession } from '../../product/capture/traffic/index.js';
import { connectThroughProxy, startOrigin } from '../../product/capture/traffic/test-support/https-fixtures.js';
import { SAMPLE_IDENTIFIERS } from '../../product/capture/traffic/test-support/synthetic-traffic.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const REQUESTS = flag('requests', 300);
const CONCURRENCY = flag('concurrency', 4);
/** Whole rounds, each path once per round; the best round per path is reported (shared machines are noisy). */
const ROUNDS = flag('rounds', 2);
const WARMUP = 20;
/**
 * Every proxy skips upstream verification (plain mitmdump gets --ssl-insecure), so all do the
 * same work. With `--trust-origin` the consentry adapters verify the origin against its own
 * certificate instead; mockttp then builds a TLS context per upstream connection, which is slow.
 */
const UPSTREAM = args.includes('--trust-origin') ? undefined : { insecure: true };

interface Result {
  name: string;
  ok: number;
  seconds: number;
  latencies: number[];
  recorded?: number;
}

/**
 * One keep-alive HTTP/1.1 connection (a TLS tunnel through the proxy, or direct TLS), used for
 * requests one after another. Hand-rolled on purpose: Node's http client closes a connection it
 * did not open through an Agent, and the measurement must be of the proxy, not of pooling.
 */
class Connection {
  private buffer = Buffer.alloc(0);
  private waiting: ((response: { status: number; body: Buffer }) => void) | undefined;

  private constructor(private readonly socket: TLSSocket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.tryParse();
    });
  }

  static async open(proxyPort: number | undefined, originPort: number, caPem: string): Promise<Connection> {
    if (proxyPort !== undefined) return new Connection(await connectThroughProxy(proxyPort, 'localhost', originPort, caPem));
    const socket = tlsConnect({ host: '127.0.0.1', port: originPort, servername: 'localhost', ca: caPem });
    await once(socket, 'secureConnect');
    return new Connection(socket);
  }

  get(path: string): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('request timed out')), 15_000);
      this.waiting = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n`);
    });
  }

  close(): void {
    this.socket.end();
  }

  private tryParse(): void {
    const head = this.buffer.indexOf('\r\n\r\n');
    if (head < 0 || !this.waiting) return;
    const headers = this.buffer.subarray(0, head).toString('latin1');
    const length = Number(/content-length:\s*(\d+)/i.exec(headers)?.[1] ?? 0);
    if (this.buffer.length < head + 4 + length) return;
    const status = Number(headers.split(' ')[1]);
    const body = this.buffer.subarray(head + 4, head + 4 + length);
    this.buffer = this.buffer.subarray(head + 4 + length);
    const done = this.waiting;
    this.waiting = undefined;
    done({ status, body });
  }
}

async function drive(name: string, proxyPort: number | undefined, originPort: number, caPem: string): Promise<Result> {
  const connections = await Promise.all(Array.from({ length: CONCURRENCY }, () => Connection.open(proxyPort, originPort, caPem)));
  const request = async (c: Connection, i: number) => {
    const t = performance.now();
    const res = await c.get(`/ping?i=${i}&aid=9774d56d682e549c`);
    const ok = res.status === 200 && (JSON.parse(res.body.toString()) as { path: string }).path.includes(`i=${i}&`);
    if (!ok) throw new Error(`${name}: bad response ${res.status}`);
    return performance.now() - t;
  };
  try {
    for (let i = 0; i < WARMUP; i += 1) await request(connections[i % CONCURRENCY]!, -1 - i);
    const latencies: number[] = [];
    let next = 0;
    const t = performance.now();
    await Promise.all(
      connections.map(async (c) => {
        while (next < REQUESTS) latencies.push(await request(c, next++));
      }),
    );
    return { name, ok: latencies.length, seconds: (performance.now() - t) / 1000, latencies };
  } finally {
    for (const c of connections) c.close();
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'consentry-bench-proxy-'));
  const origin = await startOrigin();
  const ca = loadOrCreateCaptureCa(join(dir, 'state'));
  // The client trusts the capture CA (proxied) and the origin's own certificate (direct).
  const trust = `${ca.certPem}\n${origin.certPem}`;
  const results: Result[] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      results.push(await drive('direct (no proxy)', undefined, origin.port, trust));

      // Plain mitmdump, no addon: the peer.
      const port = await freePort();
      const plain = startProcess('mitmdump', ['--listen-host', '127.0.0.1', '--listen-port', String(port), '--set', `confdir=${ca.mitmproxyConfDir}`, '--set', 'flow_detail=0', '--ssl-insecure'], { name: 'mitmdump-plain' });
      try {
        await waitForLine(plain, (l) => /listening at/i.test(l), 30_000);
        results.push(await drive('mitmdump, no addon', port, origin.port, trust));
      } finally {
        await plain.stop();
      }

      const registry = defaultCaptureAdapters();
      for (const adapter of ['embedded', 'mitmproxy']) {
        const writer = BundleWriter.create(join(dir, 'captures'), runMeta({ runId: `bench-${adapter}-${round}`, outcome: 'running', identifiers: SAMPLE_IDENTIFIERS }));
        const session = await startTrafficSession({
          adapter,
          registry,
          ca,
          sink: writer,
          app: { package: 'com.example.bench' },
          identifiers: SAMPLE_IDENTIFIERS,
          upstream: UPSTREAM ?? { extraCaPems: [origin.certPem] },
        });
        let result: Result;
        try {
          result = await drive(`consentry ${adapter} (bridge + recorder)`, session.capture.port, origin.port, trust);
        } finally {
          await session.stop();
          await writer.finish('complete');
        }
        const stats = session.recorder.stats;
        result.recorded = stats.flows;
        if (stats.tlsFailures > 0 || result.recorded !== REQUESTS + WARMUP || stats.flowsWithHits !== result.recorded) {
          throw new Error(`${adapter}: recorded ${result.recorded} request flows (${stats.flowsWithHits} with hits), expected ${REQUESTS + WARMUP}`);
        }
        results.push(result);
      }
    }
  } finally {
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  }

  // Best round per path (by requests/s).
  const best = new Map<string, Result>();
  for (const r of results) {
    const prev = best.get(r.name);
    if (!prev || r.ok / r.seconds > prev.ok / prev.seconds) best.set(r.name, r);
  }
  const rows = [...best.values()];
  const direct = pct(rows[0]!.latencies, 50);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} x${cpus().length}, node ${process.version}; ${REQUESTS} requests after ${WARMUP} warm-up, concurrency ${CONCURRENCY}, keep-alive connections, best of ${ROUNDS} rounds`);
  console.log('| path | req/s | p50 (ms) | p95 (ms) | added p50 (ms) | flows recorded |\n|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const p50 = pct(r.latencies, 50);
    console.log(`| ${r.name} | ${(r.ok / r.seconds).toFixed(0)} | ${p50.toFixed(2)} | ${pct(r.latencies, 95).toFixed(2)} | ${(p50 - direct).toFixed(2)} | ${r.recorded ?? '-'} |`);
  }
  const rps = (name: string) => {
    const r = rows.find((x) => x.name.startsWith(name))!;
    return r.ok / r.seconds;
  };
  console.log(`\nratio: consentry mitmproxy ${(rps('consentry mitmproxy') / rps('mitmdump')).toFixed(2)}x plain mitmdump req/s; embedded ${(rps('consentry embedded') / rps('mitmdump')).toFixed(2)}x`);
}

await main();

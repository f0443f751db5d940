import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Server } from 'node:net';
import { getLocal, type CompletedRequest, type CompletedResponse, type Mockttp, type TlsHandshakeFailure } from 'mockttp';
import { silentLogger } from '../../../core/logger.js';
import { freePort } from '../../../core/free-port.js';
import { CaptureStartError, type AdapterAvailability, type CaptureStartOptions, type RunningCapture, type TrafficCaptureAdapter } from '../capture-port.js';
import { httpVersionLabel, withoutDefaultPort, type CapturedExchange, type TlsFailureCause } from '../exchange.js';

/**
 * The embedded adapter: mockttp (pure npm) as an intercepting proxy in this process, so the
 * main job works right after `npm install`. Produces the same exchanges as the mitmproxy
 * adapter; where mockttp cannot see something (the ALPN of an HTTP/1.1 connection), it reports
 * only what it can infer with certainty.
 */

const CAUSES: Record<TlsHandshakeFailure['failureCause'], TlsFailureCause> = {
  closed: 'closed-after-handshake',
  reset: 'reset',
  'cert-rejected': 'cert-rejected',
  'no-shared-cipher': 'no-shared-cipher',
  'handshake-timeout': 'handshake-timeout',
  unknown: 'unknown',
};

interface WsSession {
  request: CompletedRequest;
  response?: CompletedResponse;
  messages: { t: number; fromClient: boolean; content: Buffer }[];
}

export const embeddedCapture: TrafficCaptureAdapter = {
  id: 'embedded',
  description: 'mockttp, an intercepting proxy inside consentry (no external tool)',
  isAvailable(): Promise<AdapterAvailability> {
    return Promise.resolve({ available: true, version: mockttpVersion() });
  },
  async start(options: CaptureStartOptions): Promise<RunningCapture> {
    const logger = (options.logger ?? silentLogger()).child({ capture: 'embedded' });
    const host = options.host ?? '127.0.0.1';
    const server: Mockttp = getLocal({
      https: { key: options.ca.keyPem, cert: options.ca.certPem },
      http2: 'fallback',
      recordTraffic: false,
      // mockttp drops (not cuts) bodies above its limit; keep a margin and cut them here, so a
      // large body still shows its beginning, as with the mitmproxy adapter.
      ...(options.maxBodyBytes ? { maxBodySize: options.maxBodyBytes * 4 } : {}),
    });
    const requests = new Map<string, CompletedRequest>();
    const cap = options.maxBodyBytes ?? 0;
    const sockets = new Map<string, WsSession>();
    const emit = (exchange: CapturedExchange) => {
      try {
        options.onExchange(exchange);
      } catch (err) {
        logger.error({ err }, 'flow handler failed');
      }
    };

    await server.on('request', (req) => {
      requests.set(req.id, req);
    });
    await server.on('response', (res) => {
      const req = requests.get(res.id);
      requests.delete(res.id);
      if (req) emit(toExchange(req, res, cap));
    });
    await server.on('abort', (aborted) => {
      const req = requests.get(aborted.id);
      requests.delete(aborted.id);
      const base = req ?? ({ ...aborted, body: { buffer: Buffer.alloc(0) } } as unknown as CompletedRequest);
      emit({ ...toExchange(base, undefined, cap), error: aborted.error?.message ?? 'the connection was aborted' });
    });
    await server.on('websocket-request', (req) => {
      sockets.set(req.id, { request: req, messages: [] });
    });
    await server.on('websocket-accepted', (res) => {
      const s = sockets.get(res.id);
      if (s) s.response = res;
    });
    const onMessage = (fromClient: boolean) => (msg: { streamId: string; content: Uint8Array; eventTimestamp: number; timingEvents: { startTime: number; startTimestamp: number } }) => {
      const s = sockets.get(msg.streamId);
      if (!s) return;
      s.messages.push({ t: msg.timingEvents.startTime + (msg.eventTimestamp - msg.timingEvents.startTimestamp), fromClient, content: Buffer.from(msg.content) });
    };
    await server.on('websocket-message-received', onMessage(true));
    await server.on('websocket-message-sent', onMessage(false));
    await server.on('websocket-close', (close) => {
      const s = sockets.get(close.streamId);
      sockets.delete(close.streamId);
      if (!s) return;
      const ex = toExchange(s.request, s.response, cap);
      emit({ ...ex, scheme: ex.scheme === 'https' ? 'wss' : 'ws', websocket: s.messages });
    });
    const tunnels = new TunnelTargets();
    await server.on('tls-client-error', (failure) => {
      const sni = failure.tlsMetadata?.sniHostname;
      const dest = failure.destination ?? tunnels.take(failure.remoteIpAddress, failure.remotePort);
      emit({
        t: failure.timingEvents.startTime,
        tEnd: failure.timingEvents.startTime + (failure.timingEvents.failureTimestamp - (failure.timingEvents as { startTimestamp?: number }).startTimestamp! || 0),
        ...(failure.remoteIpAddress ? { client: { ip: failure.remoteIpAddress, port: failure.remotePort ?? 0 } } : {}),
        server: { host: sni ?? dest?.hostname ?? 'unknown', port: dest?.port ?? 443 },
        scheme: 'https',
        tls: { ...(sni ? { sni } : {}), failure: CAUSES[failure.failureCause], failureDetail: failure.failureCause },
      });
    });

    const passThrough = {
      ignoreHostHttpsErrors: options.upstream?.insecure === true,
      additionalTrustedCAs: (options.upstream?.extraCaPems ?? []).map((cert) => ({ cert })),
    };
    await server.forAnyRequest().thenPassThrough(passThrough);
    await server.forAnyWebSocket().thenPassThrough(passThrough);

    const port = options.port ?? (await freePort(host));
    try {
      await server.start(port);
      await rebindToHost(server, port, host);
      tunnels.watch(server);
    } catch (err) {
      await server.stop().catch(() => undefined);
      throw new CaptureStartError('embedded', `cannot listen on ${host}:${port}`, err);
    }
    logger.info({ host, port }, 'embedded capture listening');
    let stopped: Promise<void> | undefined;
    return {
      adapter: 'embedded',
      host,
      port,
      proxyUrl: `http://${host}:${port}`,
      versions: { mockttp: mockttpVersion() },
      stop() {
        stopped ??= server.stop();
        return stopped;
      },
    };
  },
};

/**
 * mockttp listens on every interface and has no host option. A capture proxy must not be open
 * to the network unless asked: re-listen on the requested address before any client connects.
 */
async function rebindToHost(server: Mockttp, port: number, host: string): Promise<void> {
  if (host === '0.0.0.0' || host === '::') return;
  const inner = (server as unknown as { server?: Server }).server;
  if (!inner || typeof inner.listen !== 'function') return;
  await new Promise<void>((resolve) => inner.close(() => resolve()));
  await new Promise<void>((resolve, reject) => {
    inner.once('error', reject);
    inner.listen(port, host, () => {
      inner.off('error', reject);
      resolve();
    });
  });
}

/**
 * mockttp's TLS-failure event does not say which CONNECT target the client asked for, and a
 * pinned host is named by it (the port above all). Remember CONNECT targets per client socket
 * from the server's own 'connect' events (bounded: oldest forgotten first).
 */
class TunnelTargets {
  private readonly targets = new Map<string, { hostname: string; port: number }>();

  watch(server: Mockttp): void {
    const inner = (server as unknown as { server?: Server }).server;
    inner?.on('connect', (req: { url?: string }, socket: { remoteAddress?: string; remotePort?: number }) => {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
      if (!m) return;
      this.targets.set(key(socket.remoteAddress, socket.remotePort), { hostname: m[1]!, port: Number(m[2]) });
      if (this.targets.size > 10_000) this.targets.delete(this.targets.keys().next().value!);
    });
  }

  take(ip: string | undefined, port: number | undefined): { hostname: string; port: number } | undefined {
    const k = key(ip, port);
    const target = this.targets.get(k);
    this.targets.delete(k);
    return target;
  }
}

const key = (ip: string | undefined, port: number | undefined) => `${(ip ?? '').replace(/^::ffff:/, '')}:${port ?? 0}`;

function toExchange(req: CompletedRequest, res: CompletedResponse | undefined, cap: number): CapturedExchange {
  // A WebSocket starts as an HTTP(S) request; its URL is recorded as sent (the scheme field
  // says ws/wss), as mitmproxy does.
  const url = withoutDefaultPort(req.url.replace(/^ws(s?):/i, 'http$1:'));
  const parsed = safeUrl(url);
  const https = parsed?.protocol === 'https:' || parsed?.protocol === 'wss:';
  const hostname = req.destination?.hostname ?? parsed?.hostname ?? 'unknown';
  const port = req.destination?.port ?? (parsed?.port ? Number(parsed.port) : https ? 443 : 80);
  const timing = req.timingEvents;
  // The request's timing object is a snapshot from when it arrived; the response has the rest.
  const later = res?.timingEvents ?? timing;
  const end = later.responseSentTimestamp ?? later.abortedTimestamp ?? later.wsClosedTimestamp ?? timing.abortedTimestamp;
  const isIp = /^[\d.]+$|:/.test(hostname);
  const http2 = req.httpVersion?.startsWith('2');
  return {
    t: timing.startTime,
    ...(end !== undefined ? { tEnd: timing.startTime + (end - timing.startTimestamp) } : {}),
    ...(req.remoteIpAddress ? { client: { ip: req.remoteIpAddress.replace(/^::ffff:/, ''), port: req.remotePort ?? 0 } } : {}),
    server: { host: hostname, port },
    scheme: https ? 'https' : 'http',
    ...(https ? { tls: { ...(isIp ? {} : { sni: hostname }), ...(http2 ? { alpn: 'h2' } : {}) } } : {}),
    request: {
      method: req.method,
      url,
      ...(httpVersionLabel(req.httpVersion) ? { httpVersion: httpVersionLabel(req.httpVersion)! } : {}),
      headers: req.rawHeaders.filter(([k]) => !k.startsWith(':')),
      ...capped(req.rawHeaders, req.body.buffer, cap),
    },
    ...(res
      ? {
          response: {
            status: res.statusCode,
            ...(res.statusMessage ? { reason: res.statusMessage } : {}),
            headers: res.rawHeaders.filter(([k]) => !k.startsWith(':')),
            ...capped(res.rawHeaders, res.body?.buffer, cap),
          },
        }
      : {}),
  };
}

/**
 * The body as handed to the recorder: cut to `cap` and flagged; flagged too when mockttp
 * dropped it (an empty body with a non-zero Content-Length).
 */
function capped(headers: [string, string][], body: Buffer | undefined, cap: number): { body: Buffer; truncated?: true } {
  const bytes = body ?? Buffer.alloc(0);
  if (cap > 0 && bytes.length > cap) return { body: bytes.subarray(0, cap), truncated: true };
  const length = headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1];
  if (bytes.length === 0 && length !== undefined && Number(length) > 0) return { body: bytes, truncated: true };
  return { body: bytes };
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

let version: string | undefined;
function mockttpVersion(): string {
  if (version) return version;
  try {
    // Read once, lazily: no work at import time.
    // package.json is not in mockttp's exports map: find it from the main entry (dist/main.js).
    const main = createRequire(import.meta.url).resolve('mockttp');
    const pkg = join(dirname(main), '..', 'package.json');
    version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    version = 'unknown';
  }
  return version;
}

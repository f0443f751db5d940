import { createHash, X509Certificate } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { PhoneOs } from '../contracts.js';

/**
 * The app's network stack. Requests are real HTTP(S) from this process, made the way an
 * Android app's OkHttp would: through the device's global proxy (`settings put global
 * http_proxy host:port`, CONNECT for HTTPS), trusting only the CAs in the device's stores,
 * and enforcing the app's certificate pins. Every byte goes through PhoneOs.connect, which
 * routes 127.0.0.1:P through `adb reverse` when one exists, as a phone would.
 */
export interface AppRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface CertificatePin {
  host: string;
  /** base64 SHA-256 of the SubjectPublicKeyInfo. */
  sha256: string[];
}

export interface RequestOutcome {
  ok: boolean;
  status?: number;
  via: 'direct' | 'proxy';
  /** The Java exception an app would see ("javax.net.ssl.SSLHandshakeException: ..."). */
  error?: string;
  bytesReceived: number;
}

export interface NetworkOptions {
  pins?: CertificatePin[];
  timeoutMs?: number;
  maxResponseBytes?: number;
}

class NetworkFailure extends Error {
  constructor(readonly javaError: string) {
    super(javaError);
  }
}

/** Android's `http_proxy` setting: "host:port"; ":0", "" or absent means none. */
export function parseProxySetting(value: string | undefined): { host: string; port: number } | undefined {
  if (!value) return undefined;
  const m = /^\[?([^\]\s]*?)\]?:(\d{1,5})$/.exec(value.trim());
  if (!m || !m[1]) return undefined;
  const port = Number(m[2]);
  if (port <= 0 || port > 65535) return undefined;
  return { host: m[1], port };
}

export async function sendAppRequest(os: PhoneOs, request: AppRequest, options: NetworkOptions = {}): Promise<RequestOutcome> {
  const url = new URL(request.url);
  const https = url.protocol === 'https:';
  const port = Number(url.port || (https ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const proxy = parseProxySetting(os.getSetting('global', 'http_proxy'));
  const via = proxy ? 'proxy' : 'direct';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const sockets: Duplex[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetworkFailure('java.net.SocketTimeoutException: timeout')), timeoutMs);
  });
  const work = async (): Promise<RequestOutcome> => {
    let stream = await openSocket(os, proxy ?? { host, port }, sockets);
    if (proxy && https) await connectTunnel(stream, host, port);
    if (https) {
      stream = await startTls(stream, host, os.trustedCaPems());
      sockets.push(stream);
      checkPins(stream as TLSSocket, host, options.pins ?? []);
    }
    const target = proxy && !https ? url.href : `${url.pathname}${url.search}`;
    const { status, bytes } = await exchange(stream, request, target, url.host, options.maxResponseBytes ?? 4 * 1024 * 1024);
    return { ok: status >= 200 && status < 400, status, via, bytesReceived: bytes };
  };
  try {
    return await Promise.race([work(), timeout]);
  } catch (err) {
    return { ok: false, via, error: javaErrorFor(err, host, port), bytesReceived: 0 };
  } finally {
    clearTimeout(timer);
    // Outermost first: a TLS socket tears down the stream it wraps; destroying the inner
    // stream under a live TLS socket first can abort the process (Node's TLSWrap).
    const outer = sockets.at(-1);
    if (outer) outer.destroy();
    setImmediate(() => sockets.forEach((s) => s.destroyed || s.destroy()));
  }
}

async function openSocket(os: PhoneOs, to: { host: string; port: number }, sockets: Duplex[]): Promise<Duplex> {
  try {
    const socket = await os.connect(to.host, to.port);
    sockets.push(socket);
    return socket;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      throw new NetworkFailure(`java.net.UnknownHostException: Unable to resolve host "${to.host}": No address associated with hostname`);
    }
    throw new NetworkFailure(`java.net.ConnectException: Failed to connect to /${to.host}:${to.port}`);
  }
}

/** Reads one HTTP response head from `stream`; bytes after it are pushed back. */
function readHead(stream: Duplex, limit = 64 * 1024): Promise<{ status: number; headers: string }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = (): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > limit) {
          cleanup();
          reject(new NetworkFailure('java.net.ProtocolException: response head too large'));
        }
        return;
      }
      cleanup();
      stream.pause();
      const rest = buffered.subarray(end + 4);
      if (rest.length > 0) stream.unshift(rest);
      const head = buffered.subarray(0, end).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!m) {
        reject(new NetworkFailure(`java.net.ProtocolException: Unexpected status line: ${head.split('\r\n')[0]?.slice(0, 80)}`));
        return;
      }
      resolve({ status: Number(m[1]), headers: head });
    };
    const onEnd = (): void => {
      cleanup();
      reject(new NetworkFailure('java.io.IOException: unexpected end of stream'));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    stream.on('data', onData);
    stream.once('end', onEnd);
    stream.once('error', onError);
    stream.resume();
  });
}

async function connectTunnel(stream: Duplex, host: string, port: number): Promise<void> {
  const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  stream.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\nProxy-Connection: Keep-Alive\r\nUser-Agent: okhttp/4.12.0\r\n\r\n`);
  const { status } = await readHead(stream);
  if (status !== 200) throw new NetworkFailure(`java.io.IOException: Unexpected response code for CONNECT: ${status}`);
}

function startTls(stream: Duplex, host: string, cas: string[]): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const isIp = /^[\d.]+$/.test(host) || host.includes(':');
    // `ca` replaces Node's bundled roots: the device trusts its own stores and nothing else.
    const socket = tlsConnect({
      socket: stream,
      ca: cas,
      rejectUnauthorized: true,
      ALPNProtocols: ['http/1.1'],
      ...(isIp ? {} : { servername: host }),
    });
    socket.once('secureConnect', () => resolve(socket));
    socket.once('error', reject);
  });
}

export function spkiSha256(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function pinMatches(pattern: string, host: string): boolean {
  if (pattern === host) return true;
  if (pattern.startsWith('**.')) return host === pattern.slice(3) || host.endsWith(pattern.slice(2));
  if (pattern.startsWith('*.')) {
    const rest = host.slice(host.indexOf('.') + 1);
    return host.includes('.') && rest === pattern.slice(2);
  }
  return false;
}

/** OkHttp's CertificatePinner: any certificate in the chain must match one pin of the host. */
function checkPins(socket: TLSSocket, host: string, pins: CertificatePin[]): void {
  const wanted = pins.filter((p) => pinMatches(p.host, host)).flatMap((p) => p.sha256);
  if (wanted.length === 0) return;
  const seen: string[] = [];
  let cert: PeerCertificate | undefined = socket.getPeerCertificate(true);
  for (let depth = 0; cert && cert.raw && depth < 10; depth += 1) {
    seen.push(spkiSha256(cert.raw));
    const next: PeerCertificate | undefined = (cert as { issuerCertificate?: PeerCertificate }).issuerCertificate;
    if (!next || next === cert || next.fingerprint256 === cert.fingerprint256) break;
    cert = next;
  }
  if (!seen.some((s) => wanted.includes(s))) {
    throw new NetworkFailure(
      `javax.net.ssl.SSLPeerUnverifiedException: Certificate pinning failure!\n  Peer certificate chain:\n${seen
        .map((s) => `    sha256/${s}`)
        .join('\n')}\n  Pinned certificates for ${host}:\n${wanted.map((s) => `    sha256/${s}`).join('\n')}`,
    );
  }
}

function exchange(
  stream: Duplex,
  request: AppRequest,
  target: string,
  hostHeader: string,
  maxBytes: number,
): Promise<{ status: number; bytes: number }> {
  const body = request.body ?? Buffer.alloc(0);
  const headers: Record<string, string> = {
    Host: hostHeader,
    'User-Agent': 'okhttp/4.12.0',
    'Accept-Encoding': 'gzip',
    Connection: 'close',
    ...request.headers,
  };
  if (body.length > 0 || request.method !== 'GET') headers['Content-Length'] = String(body.length);
  const head =
    `${request.method} ${target} HTTP/1.1\r\n` +
    Object.entries(headers)
      // Header values from a model must not split the request (a hostile model's CRLF).
      .map(([k, v]) => `${k.replace(/[^!#$%&'*+.^_`|~0-9A-Za-z-]/g, '')}: ${v.replace(/[\r\n]/g, ' ')}`)
      .join('\r\n') +
    '\r\n\r\n';
  stream.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
  return readHead(stream).then(
    ({ status }) =>
      new Promise((resolve) => {
        let bytes = 0;
        const done = (): void => resolve({ status, bytes });
        stream.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          // The app does not need the body; stop reading a runaway response.
          if (bytes >= maxBytes) done();
        });
        stream.once('end', done);
        stream.once('close', done);
        stream.once('error', done);
        stream.resume();
      }),
  );
}

/** Maps a failure to the exception text Android's stack prints in logcat. */
function javaErrorFor(err: unknown, host: string, port: number): string {
  if (err instanceof NetworkFailure) return err.javaError;
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
      return 'javax.net.ssl.SSLHandshakeException: java.security.cert.CertPathValidatorException: Trust anchor for certification path not found.';
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `javax.net.ssl.SSLPeerUnverifiedException: Hostname ${host} not verified`;
    case 'CERT_HAS_EXPIRED':
      return 'javax.net.ssl.SSLHandshakeException: java.security.cert.CertificateExpiredException';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'java.net.SocketException: Connection reset';
    case 'ECONNREFUSED':
      return `java.net.ConnectException: Failed to connect to /${host}:${port}`;
    default:
      return `java.io.IOException: ${e.message ?? String(err)}`;
  }
}

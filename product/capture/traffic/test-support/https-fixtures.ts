import { request as httpRequest } from 'node:http';
import { createServer, request as httpsRequest, type Server } from 'node:https';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { acceptEchoWebSocket } from './websocket-fixtures.js';

/**
 * A local HTTPS origin with its own self-signed certificate, and a client that talks to it
 * through a capture proxy with CONNECT, as a phone configured with a global proxy does. Used by
 * the e2e tests and the proxy benchmark.
 */

export function selfSignedLocalhost(): { certPem: string; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 7 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: 'localhost' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

export interface Origin {
  server: Server;
  port: number;
  certPem: string;
  /** The certificate in a file, for command-line clients. */
  certFile: string;
  close(): Promise<void>;
}

/** Echo origin: answers every request with a small JSON document naming what it received. */
export async function startOrigin(): Promise<Origin> {
  const { certPem, keyPem } = selfSignedLocalhost();
  const server = createServer({ cert: certPem, key: keyPem }, (req, res) => {
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('set-cookie', 'srv=1; Path=/');
      res.end(JSON.stringify({ ok: true, path: req.url, received: size }));
    });
  });
  server.on('upgrade', acceptEchoWebSocket);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'consentry-origin-'));
  const certFile = join(dir, 'origin.pem');
  writeFileSync(certFile, certPem);
  return {
    server,
    port,
    certPem,
    certFile,
    close: () =>
      new Promise<void>((resolve) => {
        rmSync(dir, { recursive: true, force: true });
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Opens a TLS connection to host:port through an HTTP proxy's CONNECT tunnel. */
export function connectThroughProxy(proxyPort: number, host: string, port: number, caPem: string | undefined, timeoutMs = 10_000): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('CONNECT timed out')), timeoutMs);
    const req = httpRequest({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: `${host}:${port}`, headers: { host: `${host}:${port}` } });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`CONNECT answered ${res.statusCode}`));
        return;
      }
      const tls = tlsConnect({ socket, servername: host, ...(caPem ? { ca: caPem } : {}), rejectUnauthorized: true, ALPNProtocols: ['http/1.1'] });
      tls.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(tls);
      });
      tls.once('error', (e) => {
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      });
    });
    req.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.end();
  });
}

export interface ProxiedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** One HTTPS request through the proxy, trusting `caPem` (the capture CA) only. */
export async function requestThroughProxy(
  proxyPort: number,
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer; caPem: string; timeoutMs?: number },
): Promise<ProxiedResponse> {
  const u = new URL(url);
  const port = Number(u.port || 443);
  const socket = await connectThroughProxy(proxyPort, u.hostname, port, options.caPem, options.timeoutMs);
  return new Promise<ProxiedResponse>((resolve, reject) => {
    const req = httpsRequest(
      {
        method: options.method ?? 'GET',
        host: u.hostname,
        port,
        path: `${u.pathname}${u.search}`,
        headers: { ...(options.headers ?? {}), ...(options.body ? { 'content-length': String(options.body.length) } : {}) },
        // No agent: with createConnection and no agent, Node sends the request on our tunnel.
        createConnection: () => socket,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          socket.end();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.body);
  });
}

import { generateKeyPairSync } from 'node:crypto';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as netConnect, createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhoneOs } from '../contracts.js';
import { parseProxySetting, sendAppRequest, spkiSha256 } from './network.js';

/** A CA and a leaf for 127.0.0.1 signed by it, made with node-forge (keys from Node's crypto, for speed). */
function makePki(): { caPem: string; certPem: string; keyPem: string; certDer: Buffer } {
  const keys = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
      publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
      pem: privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
    };
  };
  const caKeys = keys();
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  ca.validity.notBefore = new Date(Date.now() - 86_400_000);
  ca.validity.notAfter = new Date(Date.now() + 86_400_000 * 30);
  const caName = [{ name: 'commonName', value: 'Consentry Test CA' }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true }]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  const leafKeys = keys();
  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKeys.publicKey;
  leaf.serialNumber = '02';
  leaf.validity.notBefore = ca.validity.notBefore;
  leaf.validity.notAfter = ca.validity.notAfter;
  leaf.setSubject([{ name: 'commonName', value: 'api.example.test' }]);
  leaf.setIssuer(caName);
  leaf.setExtensions([
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'api.example.test' }, { type: 7, ip: '127.0.0.1' }] },
    { name: 'extKeyUsage', serverAuth: true },
  ]);
  leaf.sign(caKeys.privateKey, forge.md.sha256.create());
  const certDer = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(leaf)).getBytes(), 'binary');
  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(leaf), keyPem: leafKeys.pem, certDer };
}

function phone(settings: Record<string, string>, cas: string[]): PhoneOs {
  return {
    getSetting: (ns: string, key: string) => settings[`${ns}/${key}`],
    trustedCaPems: () => cas,
    connect: (host: string, port: number) =>
      new Promise<Duplex>((resolve, reject) => {
        const s = netConnect(port, host === 'api.example.test' ? '127.0.0.1' : host, () => resolve(s));
        s.once('error', reject);
      }),
  } as unknown as PhoneOs;
}

let pki: ReturnType<typeof makePki>;
let https: HttpsServer;
let httpsPort: number;
let proxy: Server;
let proxyPort: number;
const proxied: string[] = [];

beforeAll(async () => {
  pki = makePki();
  https = createHttpsServer({ key: pki.keyPem, cert: pki.certPem }, (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`hello ${req.method} ${req.url}`);
  });
  await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
  httpsPort = (https.address() as { port: number }).port;
  // A minimal CONNECT proxy, as mitmproxy would present itself to the app (without intercepting).
  proxy = createServer((client) => {
    client.once('data', (head: Buffer) => {
      const line = head.toString('latin1').split('\r\n')[0]!;
      proxied.push(line);
      const m = /^CONNECT ([^:]+):(\d+) /.exec(line);
      if (!m) {
        client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      const upstream = netConnect(Number(m[2]), m[1] === 'api.example.test' ? '127.0.0.1' : m[1]!, () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        client.pipe(upstream).pipe(client);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyPort = (proxy.address() as { port: number }).port;
});

afterAll(() => {
  https.close();
  https.closeAllConnections();
  proxy.close();
});

describe('app network stack', () => {
  it('reads the Android proxy setting', () => {
    expect(parseProxySetting('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseProxySetting(':0')).toBeUndefined();
    expect(parseProxySetting(undefined)).toBeUndefined();
    expect(parseProxySetting('garbage')).toBeUndefined();
  });

  it('trusts a server whose CA is in the device store', async () => {
    const out = await sendAppRequest(phone({}, [pki.caPem]), { method: 'GET', url: `https://api.example.test:${httpsPort}/v1/ping`, headers: {} });
    expect(out).toMatchObject({ ok: true, status: 200, via: 'direct' });
    expect(out.bytesReceived).toBeGreaterThan(0);
  });

  it('fails like Android when the CA is not installed on the device', async () => {
    const out = await sendAppRequest(phone({}, []), { method: 'GET', url: `https://api.example.test:${httpsPort}/`, headers: {} });
    expect(out.ok).toBe(false);
    expect(out.error).toBe(
      'javax.net.ssl.SSLHandshakeException: java.security.cert.CertPathValidatorException: Trust anchor for certification path not found.',
    );
  });

  it('enforces certificate pins: the right SPKI passes, another fails', async () => {
    const os = phone({}, [pki.caPem]);
    const url = `https://api.example.test:${httpsPort}/pinned`;
    const good = await sendAppRequest(os, { method: 'GET', url, headers: {} }, { pins: [{ host: 'api.example.test', sha256: [spkiSha256(pki.certDer)] }] });
    expect(good.ok).toBe(true);
    const bad = await sendAppRequest(os, { method: 'GET', url, headers: {} }, { pins: [{ host: '*.example.test', sha256: ['AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='] }] });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/^javax\.net\.ssl\.SSLPeerUnverifiedException: Certificate pinning failure!/);
  });

  it('tunnels HTTPS through the device proxy with CONNECT', async () => {
    const os = phone({ 'global/http_proxy': `127.0.0.1:${proxyPort}` }, [pki.caPem]);
    const out = await sendAppRequest(os, { method: 'POST', url: `https://api.example.test:${httpsPort}/collect`, headers: {}, body: Buffer.from('x=1') });
    expect(out).toMatchObject({ ok: true, status: 200, via: 'proxy' });
    expect(proxied.at(-1)).toBe(`CONNECT api.example.test:${httpsPort} HTTP/1.1`);
  });

  it('reports a refused connection as a ConnectException', async () => {
    const out = await sendAppRequest(phone({}, []), { method: 'GET', url: 'http://127.0.0.1:1/', headers: {} }, { timeoutMs: 3000 });
    expect(out.error).toBe('java.net.ConnectException: Failed to connect to /127.0.0.1:1');
  });
});

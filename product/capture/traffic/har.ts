import { existsSync, readFileSync } from 'node:fs';
import { bodyPath, type Bundle, type Flow } from '../../evidence/bundle/index.js';
import { packageVersion } from '../../core/paths.js';

/**
 * HAR 1.2 (w3c.github.io/web-performance/specs/HAR/Overview.html) export of a bundle's flows,
 * for browsers' dev tools and HAR viewers. consentry's own facts ride along in underscore fields
 * as the format allows: `_hits`, `_destination`, `_origin`, `_tlsError`, `_consentry` in log.
 */

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string; encoding?: 'base64' };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string; encoding?: 'base64' };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
    _error?: string;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  serverIPAddress?: string;
  connection?: string;
  _flowId: string;
  _hits: Flow['hits'];
  _destination?: Flow['destination'];
  _origin: Flow['origin'];
  _tlsError?: string;
}

export interface Har {
  log: {
    version: '1.2';
    creator: { name: string; version: string };
    entries: HarEntry[];
    _consentry: { runId: string; app: string; captureCaSha256?: string; tools: Record<string, string> };
  };
}

export interface HarOptions {
  /** Bodies larger than this are left out of the HAR (they stay in the bundle). */
  maxBodyBytes?: number;
}

export function exportHar(bundle: Bundle, options: HarOptions = {}): Har {
  const max = options.maxBodyBytes ?? 4 * 1024 * 1024;
  return {
    log: {
      version: '1.2',
      creator: { name: 'consentry', version: packageVersion() },
      entries: bundle.flows.map((flow) => entry(bundle.dir, flow, max)),
      _consentry: {
        runId: bundle.run.runId,
        app: bundle.run.app.package,
        ...(bundle.run.captureCaSha256 ? { captureCaSha256: bundle.run.captureCaSha256 } : {}),
        tools: bundle.run.tools,
      },
    },
  };
}

function entry(dir: string, flow: Flow, max: number): HarEntry {
  const req = flow.request;
  const res = flow.response;
  const url = req?.url ?? `${flow.scheme}://${flow.server.host}:${flow.server.port}/`;
  const total = flow.tEnd !== undefined ? Math.max(0, flow.tEnd - flow.t) : 0;
  const requestContentType = header(req?.headers ?? [], 'content-type') ?? '';
  const postData = req && req.body.size > 0 ? content(dir, req.body.sha256, req.body.size, max) : undefined;
  const responseContent = res && res.body.size > 0 ? content(dir, res.body.sha256, res.body.size, max) : undefined;
  return {
    startedDateTime: new Date(flow.t).toISOString(),
    time: total,
    request: {
      method: req?.method ?? 'CONNECT',
      url,
      httpVersion: req?.httpVersion ?? 'HTTP/1.1',
      cookies: cookies(header(req?.headers ?? [], 'cookie')),
      headers: (req?.headers ?? []).map(([name, value]) => ({ name, value })),
      queryString: queryString(url),
      ...(postData ? { postData: { mimeType: requestContentType, ...postData } } : {}),
      headersSize: -1,
      bodySize: req?.body.size ?? 0,
    },
    response: {
      status: res?.status ?? 0,
      statusText: res?.reason ?? '',
      httpVersion: req?.httpVersion ?? 'HTTP/1.1',
      cookies: [],
      headers: (res?.headers ?? []).map(([name, value]) => ({ name, value })),
      content: { size: res?.body.size ?? 0, mimeType: header(res?.headers ?? [], 'content-type') ?? '', ...(responseContent ?? {}) },
      redirectURL: header(res?.headers ?? [], 'location') ?? '',
      headersSize: -1,
      bodySize: res?.body.size ?? 0,
      ...(flow.error || flow.tls?.error ? { _error: flow.error ?? flow.tls?.error } : {}),
    },
    cache: {},
    // The proxy sees one exchange, not its phases: the whole time is reported as wait.
    timings: { send: 0, wait: total, receive: 0 },
    ...(flow.server.ip ? { serverIPAddress: flow.server.ip } : {}),
    ...(flow.client ? { connection: String(flow.client.port) } : {}),
    _flowId: flow.id,
    _hits: flow.hits,
    ...(flow.destination ? { _destination: flow.destination } : {}),
    _origin: flow.origin,
    ...(flow.tls?.error ? { _tlsError: flow.tls.error } : {}),
  };
}

function content(dir: string, sha: string | undefined, size: number, max: number): { text: string; encoding?: 'base64' } | undefined {
  if (!sha || size > max) return undefined;
  const file = bodyPath(dir, sha);
  if (!existsSync(file)) return undefined;
  const bytes = readFileSync(file);
  const text = bytes.toString('utf8');
  // Text that does not survive a UTF-8 round trip is binary: base64 as HAR allows.
  return Buffer.from(text, 'utf8').equals(bytes) ? { text } : { text: bytes.toString('base64'), encoding: 'base64' };
}

function header(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  return headers.find(([k]) => k.toLowerCase() === name)?.[1];
}

function cookies(value: string | undefined): HarNameValue[] {
  if (!value) return [];
  return value
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p.includes('='))
    .map((p) => ({ name: p.slice(0, p.indexOf('=')), value: p.slice(p.indexOf('=') + 1) }));
}

function queryString(url: string): HarNameValue[] {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

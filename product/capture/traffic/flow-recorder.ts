import type { Flow } from '../../contracts/bundle-schema.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import type { DestinationAttributor } from './flow-attribution.js';
import { decodeBody, DEFAULT_BODY_LIMITS, type BodyLimits } from './body-codec.js';
import type { IdentifierDetector } from './detect/identifier-detector.js';
import { tlsErrorText, type CapturedExchange } from './exchange.js';

/** Where recorded flows go: a BundleWriter satisfies this. */
export interface FlowSink {
  storeBody(bytes: Buffer): string;
  addFlow(flow: Omit<Flow, 'id'> & { id?: string }): Flow;
}

export interface FlowRecorderOptions {
  sink: FlowSink;
  detector?: IdentifierDetector;
  attributor?: DestinationAttributor;
  limits?: BodyLimits;
  logger?: Logger;
  /** Called after each flow is written (live view, TLS-failure markers...). */
  onFlow?: (flow: Flow) => void;
  /**
   * Which uid/package opened the connection, when the device can tell (e.g. from the client
   * port via the device's socket table). Without it, origin falls back to the host list.
   */
  resolveOrigin?: (exchange: CapturedExchange) => { uid?: number; package?: string } | undefined;
}

export interface RecorderStats {
  flows: number;
  tlsFailures: number;
  flowsWithHits: number;
  /** Exchanges that could not be recorded (they are logged). */
  dropped: number;
}

/**
 * Turns captured exchanges into bundle flows: bodies decoded and stored content-addressed,
 * identifiers detected in what the client sent, destination and origin attributed. Both capture
 * adapters feed this, so both produce the same flow records.
 */
export class FlowRecorder {
  readonly stats: RecorderStats = { flows: 0, tlsFailures: 0, flowsWithHits: 0, dropped: 0 };
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly logger: Logger;

  constructor(private readonly options: FlowRecorderOptions) {
    this.logger = options.logger ?? silentLogger();
  }

  /** Fire-and-forget entry point for adapters; errors are logged and counted, never thrown. */
  accept = (exchange: CapturedExchange): void => {
    const p = this.record(exchange).catch((err: unknown) => {
      this.stats.dropped += 1;
      this.logger.error({ err, url: exchange.request?.url, host: exchange.server.host }, 'could not record a flow');
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  };

  /** Resolves once every accepted exchange is written. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async record(ex: CapturedExchange): Promise<Flow> {
    const limits = this.options.limits ?? DEFAULT_BODY_LIMITS;
    const { sink, detector, attributor } = this.options;
    const flow: Omit<Flow, 'id'> = {
      t: ex.t,
      ...(ex.tEnd !== undefined ? { tEnd: ex.tEnd } : {}),
      ...(ex.client ? { client: ex.client } : {}),
      server: ex.server,
      scheme: ex.scheme,
      origin: attributor ? attributor.origin(ex.server.host, ex.origin ?? this.options.resolveOrigin?.(ex)) : { tag: 'unknown' },
      hits: [],
    };
    if (ex.tls) {
      const { sni, alpn, version, failure } = ex.tls;
      flow.tls = {
        ...(sni ? { sni } : {}),
        ...(alpn ? { alpn } : {}),
        ...(version ? { version } : {}),
        ...(failure ? { error: tlsErrorText(failure) } : {}),
      };
      if (failure) this.logger.info({ host: ex.server.host, sni, cause: failure, detail: ex.tls.failureDetail }, 'TLS failure');
    }
    let requestBody: Buffer | undefined;
    if (ex.request) {
      const decoded = await decodeBody(ex.request.body, header(ex.request.headers, 'content-encoding'), limits);
      requestBody = decoded.bytes;
      flow.request = {
        method: ex.request.method,
        url: ex.request.url,
        ...(ex.request.httpVersion ? { httpVersion: ex.request.httpVersion } : {}),
        headers: ex.request.headers,
        body: this.storeDecoded(decoded, ex.request.truncated),
      };
    }
    if (ex.response) {
      const decoded = await decodeBody(ex.response.body, header(ex.response.headers, 'content-encoding'), limits);
      flow.response = {
        status: ex.response.status,
        ...(ex.response.reason ? { reason: ex.response.reason } : {}),
        headers: ex.response.headers,
        body: this.storeDecoded(decoded, ex.response.truncated),
      };
    }
    if (ex.websocket) {
      flow.websocket = ex.websocket.map((m) => ({
        t: m.t,
        fromClient: m.fromClient,
        size: m.content.length,
        ...(m.content.length > 0 ? { sha256: sink.storeBody(m.content.subarray(0, limits.maxBytes)) } : {}),
      }));
    }
    if (ex.error) flow.error = ex.error;
    if (detector && ex.request) {
      flow.hits = detector.scanRequest({
        url: ex.request.url,
        headers: ex.request.headers,
        ...(requestBody ? { body: { bytes: requestBody, contentType: header(ex.request.headers, 'content-type') } } : {}),
        websocket: (ex.websocket ?? []).filter((m) => m.fromClient).map((m) => m.content.subarray(0, limits.maxBytes)),
      });
    }
    if (attributor) flow.destination = attributor.destination(ex.server.host);
    const written = sink.addFlow(flow);
    this.stats.flows += 1;
    if (flow.tls?.error) this.stats.tlsFailures += 1;
    if (written.hits.length > 0) this.stats.flowsWithHits += 1;
    this.options.onFlow?.(written);
    return written;
  }

  private storeDecoded(decoded: Awaited<ReturnType<typeof decodeBody>>, cutByAdapter = false): NonNullable<Flow['request']>['body'] {
    const decodeError = decoded.decodeError ?? (cutByAdapter ? 'the body exceeded the capture size cap and was cut' : undefined);
    return {
      size: decoded.bytes.length,
      ...(decoded.bytes.length > 0 ? { sha256: this.options.sink.storeBody(decoded.bytes) } : {}),
      ...(decoded.decodedFrom ? { decodedFrom: decoded.decodedFrom } : {}),
      ...(decoded.truncated || cutByAdapter ? { truncated: true } : {}),
      ...(decodeError ? { decodeError } : {}),
    };
  }
}

export function header(headers: readonly (readonly [string, string])[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

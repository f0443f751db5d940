import type { Logger } from '../../core/logger.js';
import { ConsentryError, ToolMissingError } from '../../core/errors.js';
import type { CapturedExchange } from './exchange.js';

/**
 * The TrafficCapture port: a proxy the device is pointed at (global HTTP proxy, or `adb
 * reverse` to it) that hands every exchange to consentry as it completes. Adapters are
 * pluggable backends (id, availability check, start), chosen by configuration
 * (`traffic.adapter`: auto | mitmproxy | embedded).
 */

export interface CaptureCaMaterial {
  certPem: string;
  keyPem: string;
  /** A folder in mitmproxy's confdir layout (mitmproxy-ca.pem = key + cert). */
  mitmproxyConfDir: string;
}

export interface CaptureStartOptions {
  ca: CaptureCaMaterial;
  /** Called once per completed exchange or TLS failure, in completion order. */
  onExchange: (exchange: CapturedExchange) => void;
  /** Listen address; loopback unless a device on the network must reach it. */
  host?: string;
  /** Fixed port; a free one otherwise. */
  port?: number;
  /** Where the adapter keeps its native flow file, if it has one (mitmproxy: flows.mitm). */
  nativeFlowFile?: string;
  /** Cap on body bytes the adapter hands over (larger bodies are cut and flagged). */
  maxBodyBytes?: number;
  /** How to trust upstream servers: the real internet by default; tests add their own CA. */
  upstream?: { insecure?: boolean; extraCaPems?: string[] };
  logger?: Logger;
  /** Start timeout. */
  timeoutMs?: number;
}

export interface RunningCapture {
  readonly adapter: string;
  readonly host: string;
  readonly port: number;
  /** http://host:port — what the device's proxy setting points at. */
  readonly proxyUrl: string;
  /** Tool versions for RunMeta.tools. */
  readonly versions: Record<string, string>;
  /** Stops the proxy after delivering every exchange it has already completed. */
  stop(): Promise<void>;
  /** False once the proxy is gone (its process exited); absent: alive until stopped. */
  alive?(): boolean;
}

export interface AdapterAvailability {
  available: boolean;
  version?: string;
  reason?: string;
}

export interface TrafficCaptureAdapter {
  readonly id: string;
  /** One sentence for `doctor` and logs. */
  readonly description: string;
  isAvailable(): Promise<AdapterAvailability>;
  start(options: CaptureStartOptions): Promise<RunningCapture>;
}

export class CaptureStartError extends ConsentryError {
  constructor(adapter: string, message: string, cause?: unknown) {
    super('CAPTURE_START_FAILED', `${adapter} capture could not start: ${message}`, { cause, retryable: true, context: { adapter } });
  }
}

/** A registry that rejects duplicate ids; `choose('auto')` takes the first available adapter. */
export class CaptureAdapterRegistry {
  private readonly adapters: TrafficCaptureAdapter[] = [];

  register(adapter: TrafficCaptureAdapter): this {
    if (this.adapters.some((a) => a.id === adapter.id)) {
      throw new ConsentryError('DUPLICATE_CAPTURE_ADAPTER', `a traffic capture adapter with id "${adapter.id}" is already registered`);
    }
    this.adapters.push(adapter);
    return this;
  }

  get ids(): string[] {
    return this.adapters.map((a) => a.id);
  }

  get(id: string): TrafficCaptureAdapter | undefined {
    return this.adapters.find((a) => a.id === id);
  }

  async choose(wanted: string): Promise<TrafficCaptureAdapter> {
    if (wanted !== 'auto') {
      const adapter = this.get(wanted);
      if (!adapter) {
        throw new ConsentryError('UNKNOWN_CAPTURE_ADAPTER', `unknown traffic adapter "${wanted}" (known: ${this.ids.join(', ')})`);
      }
      const availability = await adapter.isAvailable();
      if (!availability.available) throw new ToolMissingError(adapter.id, availability.reason ?? 'not available');
      return adapter;
    }
    const reasons: string[] = [];
    for (const adapter of this.adapters) {
      const availability = await adapter.isAvailable();
      if (availability.available) return adapter;
      reasons.push(`${adapter.id}: ${availability.reason ?? 'not available'}`);
    }
    throw new ToolMissingError('traffic capture', reasons.join('; '));
  }
}

import { connect as netConnect, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { socketPair } from './socket-pair.js';

/** The host side of the adb transport, through which the device opens `adb reverse` streams. */
export interface HostTunnel {
  readonly id: number;
  readonly isOnline: boolean;
  openToHost(destination: string): Promise<Duplex>;
}

export interface ReverseMapping {
  /** Device side, e.g. "tcp:8080". */
  device: string;
  /** Host side, e.g. "tcp:8080". */
  host: string;
  tunnel: HostTunnel;
}

/** A socket failure inside the simulated device, as the app's network stack would see it. */
export class DeviceNetworkError extends Error {
  constructor(
    readonly code: 'ECONNREFUSED' | 'EADDRINUSE' | 'ENOTCONN',
    message: string,
  ) {
    super(message);
    this.name = 'DeviceNetworkError';
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', 'ip6-localhost']);

/** How long a connection to the host network may take before the app sees a timeout. */
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * Device-side TCP: listeners registered by on-device servers, `adb reverse` mappings (on a
 * phone, adbd listens on the device port and tunnels each connection to the host), and
 * everything else goes to the host's real network.
 */
export class DeviceNetwork {
  private readonly listeners = new Map<number, (socket: Duplex) => void>();
  private readonly reverses = new Map<string, ReverseMapping>();

  listen(port: number, onConnection: (socket: Duplex) => void): () => void {
    if (this.listeners.has(port) || this.reverses.has(`tcp:${port}`)) {
      throw new DeviceNetworkError('EADDRINUSE', `device port ${port} is already in use`);
    }
    this.listeners.set(port, onConnection);
    return () => {
      if (this.listeners.get(port) === onConnection) this.listeners.delete(port);
    };
  }

  isListening(port: number): boolean {
    return this.listeners.has(port) || this.reverses.has(`tcp:${port}`);
  }

  listeningPorts(): number[] {
    return [...new Set([...this.listeners.keys(), ...[...this.reverses.keys()].map((k) => Number(k.slice(4)))])].sort(
      (a, b) => a - b,
    );
  }

  async connect(host: string, port: number): Promise<Duplex> {
    if (LOOPBACK.has(host)) return this.connectLocal(port);
    return this.connectHostNetwork(host, port);
  }

  /** A connection to 127.0.0.1:port on the device: a listener, or adbd's reverse tunnel. */
  async connectLocal(port: number): Promise<Duplex> {
    const listener = this.listeners.get(port);
    if (listener) {
      const [appSide, serverSide] = socketPair();
      listener(serverSide);
      return appSide;
    }
    const reverse = this.reverses.get(`tcp:${port}`);
    if (reverse) {
      if (!reverse.tunnel.isOnline) throw new DeviceNetworkError('ECONNREFUSED', `adb reverse tunnel for tcp:${port} is offline`);
      try {
        return await reverse.tunnel.openToHost(reverse.host);
      } catch (err) {
        throw new DeviceNetworkError('ECONNREFUSED', `connect to 127.0.0.1:${port} (adb reverse to ${reverse.host}) failed: ${String(err)}`);
      }
    }
    throw new DeviceNetworkError('ECONNREFUSED', `connect to 127.0.0.1:${port} failed: Connection refused`);
  }

  addReverse(mapping: ReverseMapping, options: { noRebind?: boolean } = {}): void {
    const existing = this.reverses.get(mapping.device);
    if (existing && options.noRebind) {
      throw new DeviceNetworkError('EADDRINUSE', `cannot rebind existing socket`);
    }
    const port = Number(mapping.device.slice(4));
    if (!existing && this.listeners.has(port)) {
      throw new DeviceNetworkError('EADDRINUSE', `cannot bind listener: Address already in use`);
    }
    this.reverses.set(mapping.device, mapping);
  }

  removeReverse(device: string): boolean {
    return this.reverses.delete(device);
  }

  removeReversesOf(tunnel: HostTunnel): void {
    for (const [key, mapping] of this.reverses) if (mapping.tunnel === tunnel) this.reverses.delete(key);
  }

  listReverses(tunnel?: HostTunnel): ReverseMapping[] {
    return [...this.reverses.values()].filter((m) => !tunnel || m.tunnel === tunnel);
  }

  private connectHostNetwork(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port, family: isIP(host) || undefined });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new DeviceNetworkError('ECONNREFUSED', `connect to ${host}:${port} timed out`));
      }, CONNECT_TIMEOUT_MS);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(socket);
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new DeviceNetworkError('ECONNREFUSED', `connect to ${host}:${port} failed: ${err.message}`));
      });
    });
  }
}

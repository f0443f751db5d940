import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../product/core/logger.js';
import type { VirtualPhoneOs } from '../os/phone-os.js';
import type { ShellInterpreter } from '../shell/interpreter.js';
import { deviceBanner, DEVICE_FEATURES } from './banner.js';
import { AdbConnection } from './connection.js';
import { serviceResolver } from './services/index.js';

export interface AdbDeviceServerOptions {
  os: VirtualPhoneOs;
  interpreter: ShellInterpreter;
  host: string;
  /** 0 = any free port. */
  port: number;
  logger: Logger;
  features?: readonly string[];
}

/**
 * The device end of ADB over TCP (what `adb tcpip` makes a phone listen on): every accepted
 * socket is one host connection speaking the ADB packet protocol.
 */
export class AdbDeviceServer {
  private server: Server | undefined;
  private readonly connections = new Set<AdbConnection>();
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly options: AdbDeviceServerOptions) {}

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<number> {
    const { os, interpreter, logger } = this.options;
    const banner = deviceBanner(os.identity, this.options.features ?? DEVICE_FEATURES);
    const resolve = serviceResolver(os, interpreter, () => this.dropConnections());
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      const connection = new AdbConnection(socket, {
        banner,
        resolve,
        logger,
        onClose: (c) => {
          this.connections.delete(c);
          // adbd drops a host's reverse mappings with its transport.
          os.network.removeReversesOf(c);
        },
      });
      this.connections.add(connection);
      logger.debug({ remote: `${socket.remoteAddress}:${socket.remotePort}` }, 'adb host connected');
    });
    this.server = server;
    await new Promise<void>((resolvePromise, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolvePromise();
      });
    });
    const address = server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : this.options.port;
    return this.boundPort;
  }

  /** Drops every host connection (reboot); the listener stays, so hosts reconnect. */
  dropConnections(): void {
    for (const c of [...this.connections]) c.close();
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.dropConnections();
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

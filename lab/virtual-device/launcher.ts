import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsentryError, errorMessage } from '../../product/core/errors.js';
import { silentLogger, type Logger } from '../../product/core/logger.js';
import { freePort } from '../../product/core/free-port.js';
import { AdbDeviceServer } from './adb/server.js';
import type { AppHost } from './contracts.js';
import type { IdentityOverrides } from './os/identity.js';
import { VirtualPhoneOs, type CommandLogEntry } from './os/phone-os.js';
import { shellCommands } from './shell/commands/index.js';
import { ShellInterpreter } from './shell/interpreter.js';

/** Something plugged into each device at start (app runtime, frida service...); may return a cleanup. */
export type DevicePlugin = (
  os: VirtualPhoneOs,
  device: { index: number; port: number; logger: Logger },
) => void | (() => unknown) | { detach(): unknown } | Promise<void | (() => unknown) | { detach(): unknown }>;

export interface VirtualDeviceOptions {
  /** Position in a farm: identifiers derive from it. Default 0. */
  index?: number;
  host?: string;
  /** 0 (default) = any free port. */
  port?: number;
  logger?: Logger;
  identity?: IdentityOverrides;
  identitySeed?: string;
  clockSkewMs?: number;
  /** Builds the app runtime for this device (default: none, apps are inert). */
  appHostFactory?: (os: VirtualPhoneOs) => AppHost | Promise<AppHost>;
  /** Further per-device wiring, run after the app host is set. */
  plugins?: DevicePlugin[];
}

export interface VirtualDevice {
  index: number;
  /** The serial adb lists: "127.0.0.1:PORT". */
  serial: string;
  host: string;
  port: number;
  os: VirtualPhoneOs;
  /** Every shell line and service request the device received, oldest first. */
  readonly commandLog: CommandLogEntry[];
  stop(): Promise<void>;
}

export class VirtualDeviceStartError extends ConsentryError {
  constructor(message: string, cause?: unknown, context: Record<string, string | number> = {}) {
    super('VD_START_FAILED', message, { cause, retryable: true, context });
  }
}

function isAddressInUse(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}

/** Starts one virtual handset listening for adb on host:port. */
export async function startVirtualDevice(options: VirtualDeviceOptions = {}): Promise<VirtualDevice> {
  const index = options.index ?? 0;
  const host = options.host ?? '127.0.0.1';
  const logger = (options.logger ?? silentLogger()).child({ vd: index });
  const storageDir = await mkdtemp(join(tmpdir(), `consentry-vd${index}-`));
  const os = new VirtualPhoneOs({
    index,
    storageDir,
    identity: options.identity,
    identitySeed: options.identitySeed,
    clockSkewMs: options.clockSkewMs,
    logger,
  });
  const interpreter = new ShellInterpreter(os, shellCommands());
  const server = new AdbDeviceServer({ os, interpreter, host, port: options.port ?? 0, logger });
  const cleanups: (() => unknown)[] = [];
  let port: number;
  try {
    port = await server.start();
    if (options.appHostFactory) os.setAppHost(await options.appHostFactory(os));
    for (const plugin of options.plugins ?? []) {
      const cleanup = await plugin(os, { index, port, logger });
      if (typeof cleanup === 'function') cleanups.push(cleanup);
      else if (cleanup && typeof cleanup === 'object') cleanups.push(() => cleanup.detach());
    }
  } catch (err) {
    await server.stop();
    await os.dispose();
    await rm(storageDir, { recursive: true, force: true });
    if (isAddressInUse(err)) throw err;
    throw new VirtualDeviceStartError(`virtual device ${index} failed to start: ${errorMessage(err)}`, err, { index });
  }
  let stopping: Promise<void> | undefined;
  const device: VirtualDevice = {
    index,
    serial: `${host}:${port}`,
    host,
    port,
    os,
    commandLog: os.commandLog,
    stop: () => {
      stopping ??= (async () => {
        for (const cleanup of cleanups.reverse()) {
          try {
            await cleanup();
          } catch (err) {
            logger.warn({ err: errorMessage(err) }, 'device plugin cleanup failed');
          }
        }
        await server.stop();
        await os.dispose();
        await rm(storageDir, { recursive: true, force: true });
        logger.debug('virtual device stopped');
      })();
      return stopping;
    },
  };
  logger.debug({ serial: device.serial, ro_serialno: os.identity.serial }, 'virtual device listening');
  return device;
}

export interface VirtualFarmOptions extends Omit<VirtualDeviceOptions, 'index' | 'port'> {
  count: number;
  /** First port; devices take consecutive ports. Default: a free run chosen by the kernel. */
  basePort?: number;
}

export interface VirtualFarm {
  devices: VirtualDevice[];
  stop(): Promise<void>;
}

const PORT_ATTEMPTS = 20;

/** Starts `count` devices on consecutive ports, each with its own serial, identifiers and state. */
export async function startVirtualFarm(options: VirtualFarmOptions): Promise<VirtualFarm> {
  if (!Number.isInteger(options.count) || options.count < 1 || options.count > 64) {
    throw new ConsentryError('VD_BAD_COUNT', `device count must be an integer from 1 to 64 (got ${options.count})`, { exitCode: 2 });
  }
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt += 1) {
    const base = options.basePort ?? (await freePort(options.host ?? '127.0.0.1'));
    if (base + options.count - 1 > 65535) continue;
    const devices: VirtualDevice[] = [];
    try {
      for (let i = 0; i < options.count; i += 1) {
        devices.push(await startVirtualDevice({ ...options, index: i, port: base + i }));
      }
      return { devices, stop: async () => void (await Promise.all(devices.map((d) => d.stop()))) };
    } catch (err) {
      await Promise.all(devices.map((d) => d.stop()));
      // A fixed base port that is taken is the user's to fix; a kernel-chosen run is retried.
      if (!isAddressInUse(err)) throw err;
      if (options.basePort !== undefined) {
        throw new VirtualDeviceStartError(`port ${base}..${base + options.count - 1} is not free: ${errorMessage(err)}`, err, { basePort: base });
      }
    }
  }
  throw new VirtualDeviceStartError(`no run of ${options.count} free consecutive ports found after ${PORT_ATTEMPTS} attempts`);
}

export interface ServeOptions extends Omit<VirtualFarmOptions, 'count' | 'basePort'> {
  count?: number;
  port?: number;
  /** Receives "ready HOST:PORT" per device once it accepts connections. */
  announce: (line: string) => void;
  /** Resolves when serving should end; default: SIGTERM or SIGINT. */
  until?: Promise<unknown>;
}

/** Waits for SIGTERM or SIGINT, then removes its handlers (so a second signal kills as usual). */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** What `consentry virtual-device` does: start, announce each device, serve until told to stop. */
export async function serveVirtualDevices(options: ServeOptions): Promise<void> {
  const until = options.until ?? untilSignal();
  const farm = await startVirtualFarm({ ...options, count: options.count ?? 1, basePort: options.port });
  try {
    for (const d of farm.devices) options.announce(`ready ${d.serial}`);
    await until;
  } finally {
    await farm.stop();
  }
}

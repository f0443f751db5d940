import type { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import * as adbkitModule from '@devicefarmer/adbkit';
import type { Client } from '@devicefarmer/adbkit';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { runProcess } from '../../core/process.js';
import { DeviceCommandError } from './errors.js';

/**
 * The device port: what the pool, the health checks, the preparer and the installer ask of one
 * handset. The adb adapter below speaks to the adb server through adbkit; tests pass fakes.
 */
export interface AdbDevice {
  readonly serial: string;
  /** Runs a shell command and returns its output (stdout and stderr, as adb's shell service mixes them). */
  shell(command: string, options?: { timeoutMs?: number }): Promise<string>;
  /** Pushes a host file (streamed) or bytes. */
  push(source: { path: string } | Buffer, remotePath: string, mode?: number): Promise<void>;
  /** `adb reverse remote local`, e.g. ("tcp:8080", "tcp:41234"). */
  reverse(remote: string, local: string): Promise<void>;
  removeReverse(remote: string): Promise<void>;
  /**
   * `adb forward tcp:0 remote`: the adb server picks and binds a free host port itself, so no
   * other process can take it between choosing and binding; returns that port.
   */
  forwardFromFreePort(remote: string): Promise<number>;
  /** `adb forward --remove tcp:PORT`. */
  removeForward(hostPort: number): Promise<void>;
  /** `adb root`: restarts adbd as root where the build allows it (emulators, userdebug). */
  root(): Promise<void>;
}

export interface AdbServerAddress {
  /** The adb binary, for the few commands adbkit lacks (reverse --remove, emu kill). */
  path: string;
  host: string;
  port: number;
}

const DEFAULT_SHELL_TIMEOUT = 30_000;

/** Reads a stream to its end, or destroys it after timeoutMs so that nothing waits forever. */
async function readAll(stream: Duplex, timeoutMs: number, what: () => Error): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy();
      reject(what());
    }, timeoutMs);
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    stream.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    stream.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Races a promise with a timer; the loser is ignored (adbkit calls cannot be cancelled). */
export async function withTimeout<T>(promise: PromiseLike<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([Promise.resolve(promise), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type AdbFactory = typeof adbkitModule.Adb;

/**
 * adbkit is CommonJS with an __esModule marker: Node's ESM loader exposes it as the default
 * export's `Adb`, bundler-style interop (vitest) as a named `Adb`. Accept both.
 */
function adbFactory(): AdbFactory {
  const mod = adbkitModule as unknown as { Adb?: AdbFactory; default?: { Adb?: AdbFactory } & AdbFactory };
  const factory = mod.Adb ?? mod.default?.Adb ?? mod.default;
  if (!factory || typeof factory.createClient !== 'function') throw new Error('@devicefarmer/adbkit: Adb.createClient not found');
  return factory;
}

export function createAdbClient(server: AdbServerAddress): Client {
  return adbFactory().createClient({ host: server.host, port: server.port, bin: server.path });
}

/** The adb adapter of AdbDevice. */
export class AdbKitDevice implements AdbDevice {
  private readonly logger: Logger;

  constructor(
    private readonly client: Client,
    readonly serial: string,
    private readonly server: AdbServerAddress,
    logger: Logger = silentLogger(),
  ) {
    this.logger = logger.child({ serial });
  }

  async shell(command: string, options: { timeoutMs?: number } = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_SHELL_TIMEOUT;
    const fail = (detail: string, cause?: unknown) =>
      new DeviceCommandError(this.serial, command, detail, cause === undefined ? {} : { cause });
    this.logger.debug({ command }, 'shell');
    const device = this.client.getDevice(this.serial);
    let stream: Duplex;
    try {
      stream = await withTimeout(device.shell(command), timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    } catch (e) {
      throw e instanceof DeviceCommandError ? e : fail(errorMessage(e), e);
    }
    const out = await readAll(stream, timeoutMs, () => fail(`no answer within ${timeoutMs} ms`));
    return out.toString('utf8');
  }

  async push(contents: { path: string } | Buffer, remotePath: string, mode = 0o644): Promise<void> {
    const device = this.client.getDevice(this.serial);
    const source = Buffer.isBuffer(contents) ? Readable.from([contents]) : contents.path;
    try {
      const transfer = await withTimeout<EventEmitter>(device.push(source, remotePath, mode), 60_000, () =>
        new DeviceCommandError(this.serial, `push ${remotePath}`, 'sync service did not answer'),
      );
      await withTimeout(
        new Promise<void>((resolve, reject) => {
          transfer.once('end', () => resolve());
          transfer.once('error', reject);
        }),
        10 * 60_000,
        () => new DeviceCommandError(this.serial, `push ${remotePath}`, 'transfer did not finish in 10 minutes'),
      );
    } catch (e) {
      if (e instanceof DeviceCommandError) throw e;
      throw new DeviceCommandError(this.serial, `push ${remotePath}`, errorMessage(e), { cause: e });
    }
  }

  async reverse(remote: string, local: string): Promise<void> {
    try {
      await withTimeout(this.client.getDevice(this.serial).reverse(remote, local), 15_000, () =>
        new DeviceCommandError(this.serial, `reverse ${remote} ${local}`, 'no answer within 15 s'),
      );
    } catch (e) {
      if (e instanceof DeviceCommandError) throw e;
      throw new DeviceCommandError(this.serial, `reverse ${remote} ${local}`, errorMessage(e), { cause: e });
    }
  }

  /** adbkit has no "reverse --remove"; the adb client does (host-serial reverse:killforward). */
  async removeReverse(remote: string): Promise<void> {
    await this.adbCli(['reverse', '--remove', remote]);
  }

  async forwardFromFreePort(remote: string): Promise<number> {
    const out = await this.adbCli(['forward', 'tcp:0', remote]);
    const port = Number(out.trim());
    if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
      throw new DeviceCommandError(this.serial, `adb forward tcp:0 ${remote}`, `expected the port the adb server chose, got "${out.trim().slice(0, 100)}"`);
    }
    return port;
  }

  async removeForward(hostPort: number): Promise<void> {
    await this.adbCli(['forward', '--remove', `tcp:${hostPort}`]);
  }

  async root(): Promise<void> {
    await this.adbCli(['root']);
    // adbd restarts; wait until the transport is back before the next command.
    await this.adbCli(['wait-for-device'], 30_000);
  }

  private async adbCli(args: string[], timeoutMs = 15_000): Promise<string> {
    const full = ['-H', this.server.host, '-P', String(this.server.port), '-s', this.serial, ...args];
    try {
      return (await runProcess(this.server.path, full, { timeoutMs, logger: this.logger })).stdout;
    } catch (e) {
      throw new DeviceCommandError(this.serial, `adb ${args.join(' ')}`, errorMessage(e), { cause: e });
    }
  }
}

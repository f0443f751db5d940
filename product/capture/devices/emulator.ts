import { createServer } from 'node:net';
import { InputError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { runProcess, startProcess, type ManagedProcess } from '../../core/process.js';
import type { AdbServerAddress } from './adb-device.js';
import { EmulatorError } from './errors.js';

/**
 * Android Studio emulator lifecycle for AVDs: start headless on a free even console port
 * (adb takes the odd port above it), wait for sys.boot_completed, stop through the console
 * (`adb emu kill`) and, failing that, by signal; wipe = start with -wipe-data.
 * The console/adb port pair range is 5554-5685: the emulator accepts even console ports
 * 5554..5682 and adb scans them for emulator-P serials.
 */
export const EMULATOR_PORT_MIN = 5554;
export const EMULATOR_PORT_MAX = 5682;

export interface EmulatorManagerOptions {
  /** The emulator binary ($ANDROID_HOME/emulator/emulator). */
  emulatorPath?: string;
  adb: AdbServerAddress;
  logger?: Logger;
  bootTimeoutMs?: number;
  pollMs?: number;
  /** Reads sys.boot_completed; the default asks adb. Injected by tests. */
  bootProbe?: (serial: string) => Promise<string>;
}

export interface StartEmulatorOptions {
  avd: string;
  /** Even console port; default: the first free one. */
  port?: number;
  /** Start from a factory-fresh userdata image. */
  wipe?: boolean;
  /** -writable-system, needed for the system-file CA method after `adb remount`. */
  writableSystem?: boolean;
  extraArgs?: string[];
}

export interface RunningEmulator {
  readonly avd: string;
  readonly port: number;
  readonly serial: string;
  readonly process: ManagedProcess;
}

const AVD_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function defaultEmulatorPath(): string {
  const home = process.env.ANDROID_HOME ?? process.env.ANDROID_SDK_ROOT;
  return home ? `${home}/emulator/emulator` : 'emulator';
}

export function emulatorArgs(options: StartEmulatorOptions, port: number): string[] {
  return [
    '-avd',
    options.avd,
    '-no-window',
    // Never write a snapshot on exit: each start must begin from the same state.
    '-no-snapshot-save',
    '-no-boot-anim',
    '-port',
    String(port),
    ...(options.wipe ? ['-wipe-data'] : []),
    ...(options.writableSystem ? ['-writable-system'] : []),
    ...(options.extraArgs ?? []),
  ];
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export class EmulatorManager {
  private readonly running = new Map<number, RunningEmulator>();
  private readonly logger: Logger;

  constructor(private readonly options: EmulatorManagerOptions) {
    this.logger = (options.logger ?? silentLogger()).child({ component: 'emulator' });
  }

  /** The first even port whose console and adb ports are both free and not in `inUse`. */
  async pickPort(inUse: Iterable<number> = []): Promise<number> {
    const taken = new Set([...inUse, ...this.running.keys()]);
    for (let p = EMULATOR_PORT_MIN; p <= EMULATOR_PORT_MAX; p += 2) {
      if (taken.has(p)) continue;
      if ((await portFree(p)) && (await portFree(p + 1))) return p;
    }
    throw new EmulatorError(`no free emulator port pair between ${EMULATOR_PORT_MIN} and ${EMULATOR_PORT_MAX + 1}`);
  }

  async start(options: StartEmulatorOptions): Promise<RunningEmulator> {
    if (!AVD_NAME.test(options.avd)) {
      throw new InputError('AVD_NAME_INVALID', `"${options.avd}" is not an AVD name (letters, digits, . _ -)`, { field: 'avd' });
    }
    let port: number;
    if (options.port !== undefined) {
      if (options.port % 2 !== 0 || options.port < EMULATOR_PORT_MIN || options.port > EMULATOR_PORT_MAX) {
        throw new InputError('EMULATOR_PORT_INVALID', `emulator port must be even, ${EMULATOR_PORT_MIN}-${EMULATOR_PORT_MAX} (got ${options.port})`, { field: 'port' });
      }
      port = options.port;
    } else {
      port = await this.pickPort();
    }
    const serial = `emulator-${port}`;
    const proc = startProcess(this.options.emulatorPath ?? defaultEmulatorPath(), emulatorArgs(options, port), {
      name: `emulator ${options.avd}`,
      logger: this.logger,
    });
    const emulator: RunningEmulator = { avd: options.avd, port, serial, process: proc };
    this.running.set(port, emulator);
    void proc.exited.then(() => this.running.delete(port));
    try {
      await this.waitForBoot(emulator);
    } catch (e) {
      await this.stop(emulator);
      throw e;
    }
    this.logger.info({ avd: options.avd, serial }, 'emulator booted');
    return emulator;
  }

  /** Wipes the AVD's user data: a start with -wipe-data, then a stop. */
  async wipe(avd: string): Promise<void> {
    const emulator = await this.start({ avd, wipe: true });
    await this.stop(emulator);
  }

  async waitForBoot(emulator: RunningEmulator): Promise<void> {
    const timeoutMs = this.options.bootTimeoutMs ?? 300_000;
    const pollMs = this.options.pollMs ?? 2_000;
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void emulator.process.exited.then(() => {
      exited = true;
    });
    const probe = this.options.bootProbe ?? ((serial: string) => this.adbBootProbe(serial));
    while (Date.now() < deadline) {
      if (exited) throw new EmulatorError(`emulator for AVD ${emulator.avd} exited before booting (see the log)`, { serial: emulator.serial, retryable: false });
      const value = await probe(emulator.serial).catch(() => '');
      if (value.trim() === '1') return;
      await new Promise((r) => setTimeout(r, Math.min(pollMs, Math.max(0, deadline - Date.now()))));
    }
    throw new EmulatorError(`AVD ${emulator.avd} did not finish booting (sys.boot_completed) within ${timeoutMs} ms`, { serial: emulator.serial });
  }

  /** `adb emu kill` through the console; the process is signalled if it is still there after graceMs. */
  async stop(emulator: RunningEmulator, graceMs = 20_000): Promise<void> {
    if (emulator.process.child.exitCode === null && emulator.process.child.signalCode === null) {
      await this.adb(['-s', emulator.serial, 'emu', 'kill'], 10_000).catch((e: unknown) =>
        this.logger.debug({ err: errorMessage(e) }, 'emu kill failed; signalling the process'),
      );
      const exitedInTime = await Promise.race([
        emulator.process.exited.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), graceMs).unref()),
      ]);
      if (!exitedInTime) this.logger.warn({ serial: emulator.serial }, 'emulator ignored emu kill; sending SIGTERM');
    }
    await emulator.process.stop(5_000);
    this.running.delete(emulator.port);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((e) => this.stop(e)));
  }

  private async adbBootProbe(serial: string): Promise<string> {
    const out = await this.adb(['-s', serial, 'shell', 'getprop', 'sys.boot_completed'], 10_000);
    return out;
  }

  private async adb(args: string[], timeoutMs: number): Promise<string> {
    const { path, host, port } = this.options.adb;
    const result = await runProcess(path, ['-H', host, '-P', String(port), ...args], { timeoutMs, logger: this.logger });
    return result.stdout;
  }
}

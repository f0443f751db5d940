import type { Client } from '@devicefarmer/adbkit';
import type { Duplex } from 'node:stream';
import { ConsentryError, TimeoutError } from '../../core/errors.js';

/**
 * The adb side of a scenario: shell commands (launch, force-stop, pm clear, input) and
 * installs. A small port so the runner neither knows nor cares which adb client sits behind it.
 */
export interface DeviceShell {
  readonly serial: string;
  /** Runs a shell command and returns its output (stdout and stderr, as `adb shell` v1 does). */
  shell(command: string, timeoutMs?: number): Promise<string>;
  install(apkPath: string, timeoutMs?: number): Promise<void>;
  uninstall(pkg: string, timeoutMs?: number): Promise<void>;
}

export class DeviceCommandError extends ConsentryError {
  constructor(serial: string, what: string, cause: unknown) {
    super('DEVICE_COMMAND_FAILED', `${serial}: ${what} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
      retryable: true,
      context: { serial },
    });
  }
}

async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A DeviceShell over @devicefarmer/adbkit. */
export function adbkitShell(client: Client, serial: string): DeviceShell {
  const device = client.getDevice(serial);
  return {
    serial,
    async shell(command, timeoutMs = 30_000) {
      return withTimeout(`adb shell ${command}`, timeoutMs, (async () => {
        const stream = await device.shell(command);
        try {
          return (await readAll(stream)).toString('utf8');
        } finally {
          stream.destroy();
        }
      })());
    },
    async install(apkPath, timeoutMs = 180_000) {
      try {
        await withTimeout(`adb install ${apkPath}`, timeoutMs, Promise.resolve(device.install(apkPath)));
      } catch (e) {
        throw e instanceof TimeoutError ? e : new DeviceCommandError(serial, `install of ${apkPath}`, e);
      }
    },
    async uninstall(pkg, timeoutMs = 60_000) {
      await withTimeout(`adb uninstall ${pkg}`, timeoutMs, Promise.resolve(device.uninstall(pkg)));
    },
  };
}

function readAll(stream: Duplex): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}


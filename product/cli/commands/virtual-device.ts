import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { action } from '../action.js';

function integer(raw: string | undefined, name: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError('BAD_OPTION', `--${name} must be an integer from ${min} to ${max} (got "${raw}")`, { field: name });
  }
  return value;
}

/**
 * Runs simulated Android handsets that real adb, adbkit and Appium talk to. Each prints
 * `ready HOST:PORT` once it accepts connections; `adb connect HOST:PORT` then works.
 */
export function registerVirtualDevice(program: Command): void {
  program
    .command('virtual-device')
    .description('run virtual Android devices for adb/Appium (prints "ready HOST:PORT" per device; stop with Ctrl-C)')
    .option('-p, --port <port>', 'adb port of the first device (default: a free port); others use the next ports')
    .option('-n, --count <count>', 'number of devices (farm mode: consecutive ports, own serials and identifiers)', '1')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(
      action(async (ctx, opts: { port?: string; count: string; host: string }) => {
        const { defaultDevicePlugins } = await import('../../../lab/virtual-device/default-plugins.js');
        const { serveVirtualDevices } = await import('../../../lab/virtual-device/index.js');
        await serveVirtualDevices({
          host: opts.host,
          port: integer(opts.port, 'port', 1, 65535),
          count: integer(opts.count, 'count', 1, 64),
          logger: ctx.logger,
          plugins: defaultDevicePlugins(),
          announce: (line) => ctx.out(line),
        });
        return 0;
      }),
    );
}

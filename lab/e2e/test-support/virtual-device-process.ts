import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from '../../../product/core/paths.js';
import { runProcess } from '../../../product/core/process.js';

/**
 * The CLI as a user runs it, from source: tsx by its path, so commands can run in a work folder
 * of their own (a user's checkout) and still find the package.
 */
export const CLI = ['--import', pathToFileURL(join(PACKAGE_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href, join(PACKAGE_ROOT, 'product', 'cli', 'main.ts')];

export interface VirtualDeviceProcess {
  serial: string;
  /** Stops the device and the adb server the suite started. */
  stop(): Promise<void>;
}

/**
 * One virtual device in its own process (`consentry virtual-device`), connected to an adb server
 * of the suite's own on `adbPort`, as a lab would start it before the commands under test.
 */
export async function startVirtualDeviceProcess(adbPort: number): Promise<VirtualDeviceProcess> {
  const device: ChildProcess = spawn(process.execPath, [...CLI, 'virtual-device', '--count', '1', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const serial = await new Promise<string>((resolve, reject) => {
    device.stdout!.on('data', (b: Buffer) => {
      const m = /ready (\S+)/.exec(b.toString());
      if (m) resolve(m[1]!);
    });
    device.once('exit', () => reject(new Error('virtual device exited')));
  });
  await runProcess('adb', ['-P', String(adbPort), 'connect', serial], { timeoutMs: 30_000 });
  return {
    serial,
    async stop() {
      device.kill('SIGTERM');
      await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 20_000, okCodes: [0, 1] }).catch(() => undefined);
    },
  };
}

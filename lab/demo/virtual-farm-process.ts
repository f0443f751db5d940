import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConsentryError } from '../../product/core/errors.js';
import type { Logger } from '../../product/core/logger.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess, startProcess, type ManagedProcess } from '../../product/core/process.js';

/**
 * Starts `consentry virtual-device --count N` as a separate process, the way a person would in
 * another terminal, and connects its devices to the adb server. From here on the harness sees
 * ordinary TCP devices: nothing in the run path knows they are virtual.
 */
export interface VirtualFarmProcess {
  serials: string[];
  stop(): Promise<void>;
}

function cliCommand(): { file: string; args: string[] } {
  const built = join(PACKAGE_ROOT, 'dist', 'product', 'cli', 'main.js');
  const fromSource = fileURLToPath(import.meta.url).endsWith('.ts');
  if (!fromSource && existsSync(built)) return { file: process.execPath, args: [built] };
  return { file: process.execPath, args: ['--import', 'tsx', join(PACKAGE_ROOT, 'product', 'cli', 'main.ts')] };
}

export async function startVirtualFarmProcess(options: {
  count: number;
  adb: { path: string; host: string; port: number };
  logger?: Logger;
  timeoutMs?: number;
}): Promise<VirtualFarmProcess> {
  const { file, args } = cliCommand();
  const ready: string[] = [];
  let proc: ManagedProcess | undefined;
  const addresses = await new Promise<string[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ConsentryError('DEVICE_VIRTUAL_START', `virtual devices did not start within ${options.timeoutMs ?? 60_000} ms`)), options.timeoutMs ?? 60_000);
    proc = startProcess(file, [...args, 'virtual-device', '--count', String(options.count), '--log-level', 'warn'], {
      name: 'virtual-device',
      ...(options.logger ? { logger: options.logger } : {}),
      onLine: (line, stream) => {
        const m = stream === 'stdout' ? /^ready (\S+:\d+)$/.exec(line.trim()) : null;
        if (m) ready.push(m[1]!);
        if (ready.length === options.count) {
          clearTimeout(timer);
          resolve([...ready]);
        }
      },
    });
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new ConsentryError('DEVICE_VIRTUAL_START', `the virtual device process exited (${code}) before it was ready`));
    });
  });
  // adb refuses to start a server for an explicit -H, even 127.0.0.1: pass it only for a remote one.
  const local = ['127.0.0.1', 'localhost', '::1'].includes(options.adb.host);
  const server = [...(local ? [] : ['-H', options.adb.host]), '-P', String(options.adb.port)];
  const adb = (...a: string[]) => runProcess(options.adb.path, [...server, ...a], { timeoutMs: 30_000, okCodes: [0, 1] });
  await adb('start-server');
  for (const address of addresses) {
    const out = await adb('connect', address);
    if (!/connected to/.test(out.stdout)) throw new ConsentryError('DEVICE_CONNECT_FAILED', `adb connect ${address}: ${out.stdout.trim() || out.stderr.trim()}`);
  }
  return {
    serials: addresses,
    async stop() {
      for (const address of addresses) await adb('disconnect', address).catch(() => undefined);
      await proc?.stop();
    },
  };
}

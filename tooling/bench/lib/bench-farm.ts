import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigSchema, type LoadedConfig } from '../../../product/core/config.js';
import { ConsentryError } from '../../../product/core/errors.js';
import type { Logger } from '../../../product/core/logger.js';
import { PACKAGE_ROOT } from '../../../product/core/paths.js';
import { freePort } from '../../../product/core/free-port.js';
import { runProcess } from '../../../product/core/process.js';
import { openPipeline, type Pipeline } from '../../../product/run/index.js';
import { startVirtualFarmProcess, type VirtualFarmProcess } from '../../../lab/demo/virtual-farm-process.js';
import { SAMPLE_APPS_DIR } from '../../../lab/sample-apps/index.js';

/**
 * A virtual farm for the pipeline benchmarks, set up the way a lab would run it: its own adb
 * server on a free port (never the shared 5037), `consentry virtual-device --count N` in its own
 * process, and the real pipeline (Appium, proxy, analysis, reports) from a config object.
 * Everything lives in one temporary folder, removed by close().
 */
export interface BenchFarm {
  loaded: LoadedConfig;
  pipeline: Pipeline;
  serials: string[];
  root: string;
  close(): Promise<void>;
}

export interface BenchFarmOptions {
  devices: number;
  logger?: Logger;
  /** Shorter waits for prompts that may never come (the pipeline's own option; 1 = lab timings). */
  waitScale?: number;
  /** Seconds to wait for the devices to start and appear in adb. */
  startTimeoutS?: number;
}

export async function openBenchFarm(options: BenchFarmOptions): Promise<BenchFarm> {
  const root = mkdtempSync(join(tmpdir(), 'consentry-bench-farm-'));
  const adbPort = await freePort();
  const loaded: LoadedConfig = {
    config: ConfigSchema.parse({
      capturesRoot: join(root, 'captures'),
      stateDir: join(root, 'state'),
      logLevel: 'warn',
      adb: { path: 'adb', host: '127.0.0.1', port: adbPort },
      appium: { home: join(PACKAGE_ROOT, '.appium'), startTimeoutMs: 120_000 },
    }),
    file: undefined,
    baseDir: root,
  };
  const adb = (...args: string[]) => runProcess('adb', ['-P', String(adbPort), ...args], { timeoutMs: 30_000, okCodes: [0, 1] });
  await adb('start-server');
  let farm: VirtualFarmProcess | undefined;
  let pipeline: Pipeline | undefined;
  const close = async () => {
    await pipeline?.close().catch(() => undefined);
    await farm?.stop().catch(() => undefined);
    await adb('kill-server').catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    const timeoutMs = (options.startTimeoutS ?? 120) * 1000;
    farm = await startVirtualFarmProcess({ count: options.devices, adb: loaded.config.adb, timeoutMs, ...(options.logger ? { logger: options.logger } : {}) });
    pipeline = await openPipeline(loaded, {
      leaseWaitMs: 60_000,
      // Runs one after another, as a batch or farm worker does.
      standbyProxies: true,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.waitScale !== undefined ? { waitScale: options.waitScale } : {}),
    });
    await waitForDevices(pipeline, farm.serials, timeoutMs);
    return { loaded, pipeline, serials: farm.serials, root, close };
  } catch (err) {
    await close();
    throw err;
  }
}

async function waitForDevices(pipeline: Pipeline, serials: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await pipeline.pool.refresh();
    const ready = pipeline.pool.snapshot().filter((d) => serials.includes(d.serial) && d.state === 'device');
    if (ready.length === serials.length) return;
    if (Date.now() > deadline) throw new ConsentryError('BENCH_DEVICES', `only ${ready.length} of ${serials.length} virtual devices appeared in adb`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The virtual device's sample apps (built by tooling/scripts/build-sample-apks.ts), sorted by name. */
export function sampleApks(): string[] {
  const dir = join(SAMPLE_APPS_DIR, 'apks');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.apk'))
    .sort()
    .map((f) => join(dir, f));
}

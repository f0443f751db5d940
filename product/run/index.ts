import type { LoadedConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { runProcess } from '../core/process.js';
import { createAdbClient, openDevicePool, QuarantineStore, quarantineFileIn, type DevicePool } from '../capture/devices/index.js';
import type { AppRunner, FarmDevices } from '../farm/batch-runner.js';
import type { PipelineStages } from './stage-interfaces.js';
import { runApp, type RunRequest } from './run-app.js';
import { analysisStage } from './stages/analysis-stage.js';
import { deviceStage } from './stages/device-stage.js';
import { intakeStage } from './stages/intake-stage.js';
import { instrumentationStage, logStage } from './stages/instrumentation-stage.js';
import { reportStage } from './stages/report-stage.js';
import { scenarioStage } from './stages/scenario-stage.js';
import { trafficStage } from './stages/traffic-stage.js';

export { runApp, mergeIdentifiers, RunInterruptedError, type RunRequest, type RunResult, type RunEvent } from './run-app.js';
export { attachRunProgress } from './progress.js';
export type { PipelineStages } from './stage-interfaces.js';

export interface Pipeline {
  stages: PipelineStages;
  pool: DevicePool;
  close(): Promise<void>;
}

export interface PipelineOptions {
  logger?: Logger;
  /** Shorter waits for prompts that may never come (tests, demo). */
  waitScale?: number;
  /** Wait this long for a device when leasing. */
  leaseWaitMs?: number;
  /** A reference signing certificate to compare the APK with. */
  reference?: string;
  /**
   * Many runs ahead (batch, farm, demo): keep the next run's proxy starting in the background.
   * Off for a single run, which would only pay for a proxy nobody uses.
   */
  standbyProxies?: boolean;
}

/** Wires every stage from the configuration: the real adb server, Appium, proxy, Frida. */
export async function openPipeline(loaded: LoadedConfig, options: PipelineOptions = {}): Promise<Pipeline> {
  const { config } = loaded;
  const logger = options.logger ?? silentLogger();
  const adbVersion = await runProcess(config.adb.path, ['version'], { timeoutMs: 15_000 })
    .then((r) => /Version ([^\s]+)/.exec(r.stdout)?.[1] ?? 'unknown')
    .catch(() => 'unknown');
  const pool = await openDevicePool(config, { logger, ...(options.leaseWaitMs !== undefined ? { leaseWaitMs: options.leaseWaitMs } : {}) });
  const adb = createAdbClient({ path: config.adb.path, host: config.adb.host, port: config.adb.port });
  const traffic = trafficStage(config, { logger, standby: options.standbyProxies ?? false });
  const scenarios = scenarioStage(config, { logger, ...(options.waitScale !== undefined ? { waitScale: options.waitScale } : {}) });
  const stages: PipelineStages = {
    intake: intakeStage(config, options.reference ? { reference: options.reference } : {}),
    devices: deviceStage(pool, config, { logger, adbVersion }),
    traffic,
    instrumentation: instrumentationStage(config, { logger }),
    logs: logStage(adb, { logger }),
    scenarios,
    analysis: analysisStage(config, loaded.file),
    reports: reportStage(config),
  };
  return {
    stages,
    pool,
    async close() {
      await scenarios.close();
      await traffic.close();
      await pool.close();
    },
  };
}

/** The farm's view of the pool: devices that can take work, and quarantine. */
export function farmDevices(pipeline: Pipeline, capturesRoot: string, only?: string[]): FarmDevices {
  const quarantine = new QuarantineStore(quarantineFileIn(capturesRoot));
  return {
    serials: () =>
      pipeline.pool
        .snapshot()
        .filter((d) => d.state === 'device' && !d.quarantine && (!only || only.includes(d.serial)))
        .map((d) => d.serial),
    // The run itself takes the pool's lease (with health checks); the farm only assigns serials.
    lease: async (serial) => ({ serial, release: async () => undefined }),
    quarantine: async (serial, reason) => {
      quarantine.add({ serial, since: Date.now(), kind: 'runs', reason, failures: [] });
    },
  };
}

/** Runs one farm job through the pipeline; a failed run throws its error for the retry policy. */
export function pipelineRunner(pipeline: Pipeline, base: Omit<RunRequest, 'apk' | 'policy' | 'declared' | 'device' | 'scenario'> & { scenario: string }, logger?: Logger): AppRunner {
  return async (job, lease, onBundle, signal) => {
    const events = new (await import('node:events')).EventEmitter();
    events.on('run', (e: { type: string; dir?: string }) => {
      if (e.type === 'bundle' && e.dir) onBundle(e.dir);
    });
    const result = await runApp(
      {
        ...base,
        apk: job.appPath,
        ...(job.policy ? { policy: job.policy } : {}),
        ...(job.declared ? { declared: job.declared } : {}),
        scenario: job.scenario ?? base.scenario,
        device: { serial: lease.serial },
      },
      pipeline.stages,
      { signal, events, ...(logger ? { logger: logger.child({ device: lease.serial }) } : {}) },
    );
    if (result.outcome !== 'complete') throw result.error ?? new Error(`run ${result.outcome}`);
    return {
      bundleDir: result.bundleDir,
      verdict: result.findings?.verdict ?? 'not-analysed',
      ruleIds: [...new Set((result.findings?.findings ?? []).map((f) => f.ruleId))].sort(),
    };
  };
}

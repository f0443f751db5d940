import type { LoadedConfig } from '../core/config.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { runProcess } from '../core/process.js';
import { createAdbClient, openDevicePool, type DevicePool } from '../capture/devices/index.js';
import type { PipelineStages } from './stage-interfaces.js';
import { analysisStage } from './stages/analysis-stage.js';
import { deviceStage } from './stages/device-stage.js';
import { intakeStage } from './stages/intake-stage.js';
import { instrumentationStage, logStage } from './stages/instrumentation-stage.js';
import { reportStage } from './stages/report-stage.js';
import { scenarioStage } from './stages/scenario-stage.js';
import { trafficStage } from './stages/traffic-stage.js';

export { mergeIdentifiers } from './run-record.js';
export { runApp, RunInterruptedError, type RunRequest, type RunResult, type RunEvent } from './run-app.js';
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

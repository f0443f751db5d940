import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../core/config.js';
import { ConsentryError, EXIT, InputError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { BatchRunner } from './batch-runner.js';
import { readRunMeta } from '../evidence/bundle/reader.js';
import type { JobRow, JobSpec } from './job-store.js';

/**
 * Batch orchestration: a folder or CSV of apps (or a batch to resume) becomes jobs in the job
 * store, run on this host's devices through the pipeline or handed to farm workers over Redis,
 * and summarised across the finished runs. The CLI's `batch` and `farm coordinator` commands
 * only parse options and print what this returns.
 */
export interface BatchRequest {
  /** A folder of apps or a CSV list; absent when resuming. */
  source?: string;
  /** Resume this batch id, or the latest with `true`. */
  resume?: string | true;
  scenario: string;
  observeScale: number;
  /** At most this many local devices (Infinity: all healthy ones). */
  deviceLimit: number;
  maxAttempts: number;
  /** Enqueue on the shared queue for `farm worker` hosts instead of running here. */
  distributed?: boolean;
  logger: Logger;
  signal: AbortSignal;
  /** Called once the local runner exists, to show progress; returns a detach function. */
  attachProgress?: (runner: BatchRunner, total: number, serials: string[]) => () => void;
}

export interface BatchResult {
  batchId: string;
  /** On --resume: how many apps whose run had not finished (interrupted, or cut off by a crash) were redone. */
  redone: number;
  jobs: JobRow[];
  counts: ReturnType<Store['counts']>;
  summaries: { csv: string; xlsx: string };
}

export async function runBatch(loaded: LoadedConfig, request: BatchRequest): Promise<BatchResult> {
  const { config } = loaded;
  const { JobStore } = await import('./job-store.js');
  const { readAppList } = await import('./app-list.js');
  const { loadScenario } = await import('../capture/scenarios/loader.js');
  const { builtIn } = await import('../core/paths.js');
  const scenarioDirs = [...new Set([config.scenariosDir, builtIn.scenarios])];
  const checkScenario = (scenario: string) => void loadScenario(scenario, scenarioDirs);
  // Everything the batch names is checked before the store is touched or a device leased.
  let jobs: JobSpec[] | undefined;
  if (!request.resume) {
    if (!request.source) throw new InputError('USAGE', 'give a folder of apps or a CSV list (or --resume)');
    checkScenario(request.scenario);
    jobs = readAppList(request.source, { checkScenario }).map((j) => ({ ...j, scenario: j.scenario ?? request.scenario }));
  }
  const store = new JobStore(join(config.capturesRoot, 'farm.sqlite'));
  try {
    let batchId: string;
    let redone = 0;
    if (request.resume) {
      batchId = typeof request.resume === 'string' ? request.resume : (store.latestBatch() ?? '');
      if (!batchId || !store.batchExists(batchId)) throw new InputError('BATCH_NOT_FOUND', `no batch "${batchId || '(none yet)'}" to resume in ${config.capturesRoot}`);
      redone = store.requeueUnfinished(batchId, bundleUnfinished);
      request.logger.info({ batchId, redone }, 'resuming');
    } else {
      batchId = `batch-${new Date().toISOString().replace(/[-:.]/g, '')}`;
      store.createBatch(batchId, request.source!, { scenario: request.scenario, observeScale: String(request.observeScale) }, jobs!);
    }
    if (request.distributed) await runDistributed(loaded, store, batchId, request);
    else await runLocally(loaded, store, batchId, request);
    const finalJobs = store.jobs(batchId);
    const summaries = await writeSummaries(finalJobs, join(config.capturesRoot, batchId));
    return { batchId, redone, jobs: finalJobs, counts: store.counts(batchId), summaries };
  } finally {
    store.close();
  }
}

type Store = InstanceType<typeof import('./job-store.js').JobStore>;

/** A bundle whose run.json says the run never finished (still `running`, or `interrupted`). */
function bundleUnfinished(dir: string): boolean {
  try {
    const outcome = readRunMeta(dir).outcome;
    return outcome === 'running' || outcome === 'interrupted';
  } catch {
    return false;
  }
}


async function runDistributed(loaded: LoadedConfig, store: Store, batchId: string, request: BatchRequest): Promise<void> {
  const { config } = loaded;
  if (!config.farm.redis) throw new InputError('CONFIG_INVALID', 'distributed mode needs farm.redis.url in the config', { field: 'farm.redis' });
  const { redisConnection } = await import('./distributed/connection.js');
  const { FarmCoordinator } = await import('./distributed/coordinator.js');
  const coordinator = new FarmCoordinator(store, { queueName: config.farm.queue, connection: redisConnection(config.farm.redis), attempts: request.maxAttempts });
  try {
    const n = await coordinator.submit(batchId);
    request.logger.info({ batchId, jobs: n }, 'enqueued; waiting for farm workers');
    await coordinator.waitForBatch(batchId, undefined, request.signal);
  } finally {
    await coordinator.close();
  }
}

async function runLocally(loaded: LoadedConfig, store: Store, batchId: string, request: BatchRequest): Promise<void> {
  const { config } = loaded;
  const { openPipeline } = await import('../run/index.js');
  const { farmDevices, pipelineRunner } = await import('./pipeline-farm.js');
  const { BatchRunner } = await import('./batch-runner.js');
  const pipeline = await openPipeline(loaded, { logger: request.logger, standbyProxies: true });
  try {
    const devices = farmDevices(pipeline, config.stateDir);
    const serials = devices.serials().slice(0, request.deviceLimit);
    if (serials.length === 0) throw new ConsentryError('DEVICE_NONE', 'no healthy device is connected (see consentry devices)', { exitCode: EXIT.environment });
    const runner = new BatchRunner(
      store,
      { ...devices, serials: () => serials },
      pipelineRunner(pipeline, { capturesRoot: join(config.capturesRoot, batchId), scenario: request.scenario, observeScale: request.observeScale, reportFormats: ['html', 'json'] }, request.logger),
      { batchId, logger: request.logger, maxAttempts: request.maxAttempts, maxConsecutiveFailures: config.devices.maxConsecutiveFailures, signal: request.signal },
    );
    const detach = request.attachProgress?.(runner, store.jobs(batchId).length, serials) ?? (() => undefined);
    try {
      await runner.run();
    } finally {
      detach();
    }
  } finally {
    await pipeline.close();
  }
}

/** CSV and XLSX across the batch's finished runs, for lab reporting. */
async function writeSummaries(jobs: JobRow[], dir: string): Promise<{ csv: string; xlsx: string }> {
  const { readBundle } = await import('../evidence/bundle/index.js');
  const { buildReportModel, renderCsv, renderXlsx, summaryRow } = await import('../judge/report/index.js');
  const rows = [];
  for (const job of jobs) {
    if (job.status !== 'done' || !job.bundleDir) continue;
    const bundle = await readBundle(job.bundleDir, { strict: false });
    rows.push(summaryRow(buildReportModel(bundle, bundle.findings)));
  }
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, 'summary.csv');
  const xlsx = join(dir, 'summary.xlsx');
  writeFileSync(csv, renderCsv(rows));
  writeFileSync(xlsx, await renderXlsx(rows));
  return { csv, xlsx };
}

export interface WorkerRequest {
  deviceLimit: number;
  observeScale: number;
  logger: Logger;
  signal: AbortSignal;
  /** Told how many devices the worker serves once it takes jobs. */
  onStarted?: (devices: number, queue: string) => void;
}

/** A farm worker on this host: takes apps from the shared queue while it has a free device, until aborted. */
export async function serveFarmWorker(loaded: LoadedConfig, request: WorkerRequest): Promise<void> {
  const { config } = loaded;
  if (!config.farm.redis) throw new InputError('CONFIG_INVALID', 'a farm worker needs farm.redis.url in the config', { field: 'farm.redis' });
  const { redisConnection } = await import('./distributed/connection.js');
  const { FarmWorker } = await import('./distributed/worker.js');
  const { openPipeline } = await import('../run/index.js');
  const { farmDevices, pipelineRunner } = await import('./pipeline-farm.js');
  const pipeline = await openPipeline(loaded, { logger: request.logger, standbyProxies: true });
  try {
    const devices = farmDevices(pipeline, config.stateDir);
    const serials = devices.serials().slice(0, request.deviceLimit);
    if (serials.length === 0) throw new ConsentryError('DEVICE_NONE', 'no healthy device is connected to this host (see consentry devices)', { exitCode: EXIT.environment });
    const worker = new FarmWorker(
      { ...devices, serials: () => serials },
      pipelineRunner(pipeline, { capturesRoot: join(config.capturesRoot, 'farm'), scenario: 'standard', observeScale: request.observeScale, reportFormats: ['html', 'json'] }, request.logger),
      { queueName: config.farm.queue, connection: redisConnection(config.farm.redis), jobLeaseMs: config.farm.jobLeaseMs, logger: request.logger },
    );
    worker.start();
    request.onStarted?.(serials.length, config.farm.queue);
    await new Promise<void>((resolve) => {
      if (request.signal.aborted) resolve();
      else request.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await worker.stop();
  } finally {
    await pipeline.close();
  }
}

import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { ConsentryError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import type { AppRunner, FarmDevices } from '../batch-runner.js';
import type { JobRow } from '../job-store.js';
import { decideRetry, errorCode } from '../retry-policy.js';
import { FarmJobData, type FarmJobResult } from './job-data.js';

export interface WorkerOptions {
  queueName: string;
  connection: ConnectionOptions;
  /** How long a job stays ours without a heartbeat (lock renewal) before it returns to the queue. */
  jobLeaseMs: number;
  name?: string;
  logger?: Logger;
}

/**
 * A farm worker on a host with attached devices. It takes a job only when it has a free device
 * (BullMQ concurrency = free devices), runs the app there, and writes the bundle to the shared
 * captures root. BullMQ's lock renewal is the heartbeat: if this process dies, the lock expires
 * after `jobLeaseMs` and another worker's stalled-job check returns the job to the queue.
 */
export class FarmWorker {
  private worker: Worker<FarmJobData, FarmJobResult> | undefined;
  private readonly free: Set<string>;
  private readonly name: string;
  private readonly logger: Logger;
  private failures = new Map<string, number>();

  constructor(
    private readonly devices: FarmDevices,
    private readonly runApp: AppRunner,
    private readonly options: WorkerOptions,
  ) {
    this.free = new Set(devices.serials());
    this.name = options.name ?? `${hostname()}-${process.pid}`;
    this.logger = (options.logger ?? silentLogger()).child({ worker: this.name });
  }

  start(): void {
    this.worker = new Worker<FarmJobData, FarmJobResult>(this.options.queueName, (job) => this.process(job), {
      connection: this.options.connection,
      concurrency: Math.max(this.free.size, 1),
      lockDuration: this.options.jobLeaseMs,
      stalledInterval: Math.max(Math.floor(this.options.jobLeaseMs / 2), 500),
      maxStalledCount: 3,
      name: this.name,
    });
    this.worker.on('error', (err) => this.logger.error({ err }, 'worker error'));
  }

  async stop(): Promise<void> {
    await this.worker?.close();
  }

  private async process(job: Job<FarmJobData, FarmJobResult>): Promise<FarmJobResult> {
    const data = FarmJobData.parse(job.data);
    const serial = [...this.free][0];
    if (!serial) throw new ConsentryError('DEVICE_NONE_FREE', 'no free device on this worker', { retryable: true });
    this.free.delete(serial);
    const row: JobRow = {
      id: data.jobRowId,
      batchId: data.batchId,
      appPath: data.appPath,
      ...(data.policy ? { policy: data.policy } : {}),
      ...(data.declared ? { declared: data.declared } : {}),
      ...(data.scenario ? { scenario: data.scenario } : {}),
      status: 'running',
      attempts: job.attemptsMade + 1,
      device: serial,
      bundleDir: null,
      verdict: null,
      ruleIds: null,
      errorCode: null,
      errorMessage: null,
      excludedDevices: [],
      abandonedBundles: [],
      startedAt: Date.now(),
      endedAt: null,
    };
    const abort = new AbortController();
    let assigned;
    try {
      assigned = await this.devices.assign(serial, abort.signal);
      const result = await this.runApp(row, assigned, (dir) => void job.updateProgress({ bundleDir: dir }).catch(() => undefined), abort.signal);
      await assigned.release({ ok: true });
      this.failures.set(serial, 0);
      this.free.add(serial);
      return { ...result, worker: this.name, device: serial };
    } catch (err) {
      await assigned?.release({ ok: false }).catch(() => undefined);
      const decision = decideRetry(err, row.attempts, job.opts.attempts ?? 3);
      const count = (this.failures.get(serial) ?? 0) + (decision.owner === 'app' ? 0 : 1);
      this.failures.set(serial, count);
      if (count >= 3) {
        await this.devices.quarantine(serial, `${count} runs failed in a row (last: ${errorCode(err)})`).catch(() => undefined);
        if (this.worker) this.worker.concurrency = Math.max(this.free.size, 1);
      } else {
        this.free.add(serial);
      }
      const message = `[${errorCode(err)}] ${errorMessage(err)}`;
      this.logger.warn({ app: data.appPath, device: serial, owner: decision.owner }, message);
      // An app that failed on its own is not retried elsewhere: record it, do not loop.
      if (!decision.requeue) throw new UnrecoverableError(message);
      throw new Error(message, { cause: err });
    }
  }
}

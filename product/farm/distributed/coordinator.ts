import { Queue, QueueEvents, type ConnectionOptions } from 'bullmq';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import type { JobStore } from '../job-store.js';
import { bullJobId, FarmJobResult, type FarmJobData } from './job-data.js';

export interface CoordinatorOptions {
  queueName: string;
  connection: ConnectionOptions;
  /** Attempts per app across workers (device failures, dead workers). */
  attempts?: number;
  logger?: Logger;
}

/**
 * Enqueues a batch's apps on the shared queue and records what the workers report in the
 * local job store. The store counts an app done once, from the completion BullMQ accepted:
 * a run whose worker died (its lock expired, the job went back to the queue) never completes,
 * and its partial bundle is not counted.
 */
export class FarmCoordinator {
  private readonly queue: Queue<FarmJobData, FarmJobResult>;
  private readonly events: QueueEvents;
  private readonly logger: Logger;

  constructor(
    private readonly store: JobStore,
    private readonly options: CoordinatorOptions,
  ) {
    this.queue = new Queue(options.queueName, { connection: options.connection });
    this.events = new QueueEvents(options.queueName, { connection: options.connection });
    this.logger = options.logger ?? silentLogger();
  }

  async submit(batchId: string): Promise<number> {
    await this.events.waitUntilReady();
    const queued = this.store.jobs(batchId).filter((j) => j.status === 'queued' || j.status === 'running');
    await this.queue.addBulk(
      queued.map((j) => ({
        name: 'app',
        data: {
          batchId,
          jobRowId: j.id,
          appPath: j.appPath,
          ...(j.policy ? { policy: j.policy } : {}),
          ...(j.declared ? { declared: j.declared } : {}),
          ...(j.scenario ? { scenario: j.scenario } : {}),
        },
        opts: {
          jobId: bullJobId(batchId, j.id),
          attempts: this.options.attempts ?? 3,
          backoff: { type: 'fixed', delay: 1000 },
          removeOnComplete: false,
          removeOnFail: false,
        },
      })),
    );
    return queued.length;
  }

  /** Resolves when every job of the batch is done or failed; records results as they arrive. */
  async waitForBatch(batchId: string, onProgress?: (counts: Record<string, number>) => void, signal?: AbortSignal): Promise<Record<string, number>> {
    const rows = new Map(this.store.jobs(batchId).map((j) => [bullJobId(batchId, j.id), j.id]));
    const settle = async (jobId: string) => {
      const rowId = rows.get(jobId);
      if (rowId === undefined) return;
      const known = this.store.status(rowId);
      if (known === 'done' || known === 'failed') return;
      const job = await this.queue.getJob(jobId);
      if (!job) return;
      const state = await job.getState();
      if (state === 'completed') {
        const result = FarmJobResult.parse(job.returnvalue);
        this.store.claimAs(rowId, result.device);
        this.store.markDone(rowId, result);
      } else if (state === 'active') {
        this.store.claimAs(rowId, 'worker');
      } else if (state === 'failed') {
        this.store.claimAs(rowId, 'unknown');
        this.store.markFailed(rowId, { code: failedCode(job.failedReason), message: job.failedReason ?? 'failed' }, false);
      }
    };
    const onCompleted = ({ jobId }: { jobId: string }) => void settle(jobId).then(() => onProgress?.(this.store.counts(batchId)));
    const onFailed = ({ jobId }: { jobId: string }) => void settle(jobId).then(() => onProgress?.(this.store.counts(batchId)));
    this.events.on('completed', onCompleted);
    this.events.on('failed', onFailed);
    try {
      for (;;) {
        // Events can be missed across a coordinator restart: reconcile from Redis each round.
        for (const jobId of rows.keys()) await settle(jobId);
        const counts = this.store.counts(batchId);
        onProgress?.(counts);
        if (counts.queued === 0 && counts.running === 0) return counts;
        if (signal?.aborted) return counts;
        await new Promise((r) => setTimeout(r, 1000));
      }
    } finally {
      this.events.off('completed', onCompleted);
      this.events.off('failed', onFailed);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.queue.close(), this.events.close()]);
  }
}

function failedCode(reason: string | undefined): string {
  const m = reason ? /^\[([A-Z_]+)\]/.exec(reason) : null;
  return m?.[1] ?? 'WORKER_FAILED';
}

import { EventEmitter, setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import type { JobRow, JobStore } from './job-store.js';
import { decideRetry, errorCode } from './retry-policy.js';

/**
 * A device given to one job. The farm only assigns devices to jobs; the run itself takes the
 * pool's lease (with health checks) on the assigned device. Released with the job's outcome.
 */
export interface DeviceAssignment {
  readonly serial: string;
  release(outcome: { ok: boolean }): Promise<void>;
}

export interface FarmDevices {
  serials(): string[];
  assign(serial: string, signal: AbortSignal): Promise<DeviceAssignment>;
  /** Called when a device failed `maxConsecutiveFailures` runs in a row. */
  quarantine(serial: string, reason: string): Promise<void>;
}

export interface AppRunResult {
  bundleDir: string;
  verdict: string;
  ruleIds: string[];
}

/** Runs one app on one assigned device (the pipeline). `onBundle` is called as soon as the bundle exists. */
export type AppRunner = (job: JobRow, device: DeviceAssignment, onBundle: (dir: string) => void, signal: AbortSignal) => Promise<AppRunResult>;

export interface BatchOptions {
  batchId: string;
  maxAttempts?: number;
  maxConsecutiveFailures?: number;
  logger?: Logger;
  signal?: AbortSignal;
}

export type BatchEvent =
  | { type: 'started'; job: JobRow; serial: string }
  | { type: 'done'; job: JobRow; serial: string; result: AppRunResult }
  | { type: 'failed'; job: JobRow; serial: string; code: string; message: string; requeued: boolean }
  | { type: 'quarantined'; serial: string; reason: string }
  | { type: 'device-idle'; serial: string };

/**
 * One loop per device, each taking the next job from the store. The store is the source of
 * truth, so the loop can be killed at any point and resumed.
 */
export class BatchRunner extends EventEmitter {
  constructor(
    private readonly store: JobStore,
    private readonly devices: FarmDevices,
    private readonly runApp: AppRunner,
    private readonly options: BatchOptions,
  ) {
    super();
  }

  async run(): Promise<Record<string, number>> {
    const { batchId } = this.options;
    const signal = this.options.signal ?? new AbortController().signal;
    const live = new Set(this.devices.serials());
    // Every device loop and each of its runs listen on this one signal (a few listeners per
    // run): raise Node's leak warning threshold with the farm's size instead of warning at 11.
    setMaxListeners(Math.max(10, live.size * 8), signal);
    await Promise.all([...live].map((serial) => this.deviceLoop(serial, live, signal)));
    if (!signal.aborted) this.failUnreachable(live);
    return this.store.counts(batchId);
  }

  private async deviceLoop(serial: string, live: Set<string>, signal: AbortSignal): Promise<void> {
    const log = (this.options.logger ?? silentLogger()).child({ device: serial });
    const maxAttempts = this.options.maxAttempts ?? 3;
    const maxFailures = this.options.maxConsecutiveFailures ?? 3;
    let consecutiveFailures = 0;
    while (!signal.aborted) {
      const job = this.store.claim(this.options.batchId, serial);
      if (!job) {
        const counts = this.store.counts(this.options.batchId);
        // Others may still requeue work (a device failure elsewhere): wait while anything runs.
        if (counts.running === 0) break;
        await sleep(200);
        continue;
      }
      this.emit('event', { type: 'started', job, serial } satisfies BatchEvent);
      let assigned: DeviceAssignment | undefined;
      try {
        assigned = await this.devices.assign(serial, signal);
        const result = await this.runApp(job, assigned, (dir) => this.store.setBundle(job.id, dir), signal);
        this.store.markDone(job.id, result);
        consecutiveFailures = 0;
        await assigned.release({ ok: true });
        this.emit('event', { type: 'done', job, serial, result } satisfies BatchEvent);
      } catch (err) {
        if (signal.aborted) {
          // Ctrl-C: not the app's failure nor the device's. The job goes back to the queue as
          // interrupted (--resume redoes it), the device's failure count is left as it was.
          this.store.markInterrupted(job.id);
          await assigned?.release({ ok: false }).catch(() => undefined);
          this.emit('event', { type: 'failed', job, serial, code: 'INTERRUPTED', message: 'interrupted', requeued: true } satisfies BatchEvent);
          break;
        }
        const decision = decideRetry(err, job.attempts, maxAttempts);
        const code = errorCode(err);
        const message = errorMessage(err);
        log.warn({ job: job.id, app: job.appPath, code, owner: decision.owner, requeue: decision.requeue }, message);
        this.store.markFailed(job.id, { code, message }, decision.requeue ? (decision.excludeDevice ? { excludeDevice: serial } : {}) : false);
        await assigned?.release({ ok: false }).catch(() => undefined);
        this.emit('event', { type: 'failed', job, serial, code, message, requeued: decision.requeue } satisfies BatchEvent);
        if (decision.owner !== 'app') consecutiveFailures += 1;
        if (consecutiveFailures >= maxFailures) {
          const reason = `${consecutiveFailures} runs failed in a row (last: ${code})`;
          await this.devices.quarantine(serial, reason).catch(() => undefined);
          this.emit('event', { type: 'quarantined', serial, reason } satisfies BatchEvent);
          break;
        }
      }
    }
    live.delete(serial);
    this.emit('event', { type: 'device-idle', serial } satisfies BatchEvent);
  }

  /** Jobs left queued that no remaining device may take end as failed, with the reason. */
  private failUnreachable(live: Set<string>): void {
    for (const job of this.store.jobs(this.options.batchId)) {
      if (job.status !== 'queued') continue;
      const usable = [...live].some((d) => !job.excludedDevices.includes(d));
      if (!usable) {
        this.store.markFailed(job.id, { code: 'NO_DEVICE_LEFT', message: `no healthy device left to run it (failed on: ${job.excludedDevices.join(', ') || 'none'})` }, false);
      }
    }
  }
}

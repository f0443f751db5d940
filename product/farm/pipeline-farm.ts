import type { Logger } from '../core/logger.js';
import { QuarantineStore, quarantineFileIn } from '../capture/devices/index.js';
import { runApp, type Pipeline, type RunRequest } from '../run/index.js';
import type { AppRunner, FarmDevices } from './batch-runner.js';

/**
 * The farm above the pipeline: what a batch or a farm worker needs from one opened pipeline.
 * The pipeline runs one app; the farm decides which app runs on which device, and when.
 */

/** The farm's view of the pool: devices that can take work, and quarantine (kept in stateDir, with the leases). */
export function farmDevices(pipeline: Pipeline, stateDir: string, only?: string[]): FarmDevices {
  const quarantine = new QuarantineStore(quarantineFileIn(stateDir));
  return {
    serials: () =>
      pipeline.pool
        .snapshot()
        .filter((d) => d.state === 'device' && !d.quarantine && (!only || only.includes(d.serial)))
        .map((d) => d.serial),

    assign: async (serial) => ({ serial, release: async () => undefined }),
    quarantine: async (serial, reason) => {
      quarantine.add({ serial, since: Date.now(), kind: 'runs', reason, failures: [] });
    },
  };
}

/** Runs one farm job through the pipeline; a failed run throws its error for the retry policy. */
export function pipelineRunner(pipeline: Pipeline, base: Omit<RunRequest, 'apk' | 'policy' | 'declared' | 'device' | 'scenario'> & { scenario: string }, logger?: Logger): AppRunner {
  return async (job, assigned, onBundle, signal) => {
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
        device: { serial: assigned.serial },
      },
      pipeline.stages,
      { signal, events, ...(logger ? { logger: logger.child({ device: assigned.serial }) } : {}) },
    );
    if (result.outcome !== 'complete') throw result.error ?? new Error(`run ${result.outcome}`);
    return {
      bundleDir: result.bundleDir,
      verdict: result.findings?.verdict ?? 'not-analysed',
      ruleIds: [...new Set((result.findings?.findings ?? []).map((f) => f.ruleId))].sort(),
    };
  };
}

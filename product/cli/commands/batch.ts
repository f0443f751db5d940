import type { Command } from 'commander';
import { EXIT } from '../../core/errors.js';
import { dirname, join } from 'node:path';
import { BUNDLE_FILES } from '../../contracts/bundle-schema.js';
import { attachBatchProgress } from '../../farm/batch-progress.js';
import type { BatchEvent } from '../../farm/batch-runner.js';
import { action } from '../action.js';
import type { CliContext } from '../cli-context.js';
import { interruptOnSignals } from '../interrupt.js';
import { parsePositiveInt, parseScale } from '../options.js';
import { table } from '../table.js';

export interface BatchOptions {
  scenario: string;
  devices: string;
  observeScale: string;
  resume?: string | boolean;
  distributed?: boolean;
  maxAttempts: string;
}

export function registerBatch(program: Command): void {
  program
    .command('batch [dirOrList]')
    .description('run many apps (a folder of APKs, or a CSV list) on every free device, one app per device; resumable')
    .option('-s, --scenario <id>', 'scenario for every app (a CSV row may name its own)', 'standard')
    .option('--devices <all|N>', 'use all healthy devices, or at most N', 'all')
    .option('--observe-scale <factor>', 'multiply every observe step', '1')
    .option('--resume [batchId]', 'continue a batch after a crash (default: the latest); finished apps are not redone')
    .option('--distributed', 'enqueue on the shared Redis queue (farm.redis) for `consentry farm worker` hosts')
    .option('--max-attempts <n>', 'attempts per app (device failures move it to another device)', '3')
    .action(action(batchAction));
}

/** The batch command: options in, the farm's batch run, the table out. `farm coordinator` calls it with distributed on. */
export async function batchAction(ctx: CliContext, source: string | undefined, opts: BatchOptions): Promise<number> {
  const { runBatch } = await import('../../farm/run-batch.js');
  const interrupt = interruptOnSignals(ctx.logger);
  try {
    const result = await runBatch(ctx.loaded, {
      ...(source ? { source } : {}),
      ...(opts.resume ? { resume: typeof opts.resume === 'string' ? opts.resume : true } : {}),
      scenario: opts.scenario,
      observeScale: parseScale(opts.observeScale),
      deviceLimit: opts.devices === 'all' ? Infinity : parsePositiveInt(opts.devices, 'devices'),
      maxAttempts: parsePositiveInt(opts.maxAttempts, 'max-attempts', 20),
      distributed: opts.distributed ?? false,
      logger: ctx.logger,
      signal: interrupt.signal,
      attachProgress: (runner, total, serials) => {
        // The batch's log goes beside its bundles, in the batch folder, once the first run has one.
        runner.on('event', (e: BatchEvent) => {
          if (e.type === 'done' && e.result.bundleDir) ctx.bundleLog.attach(join(dirname(e.result.bundleDir), BUNDLE_FILES.logs));
        });
        return ctx.json ? () => undefined : attachBatchProgress(runner, total, serials);
      },
    });
    const { batchId, jobs, counts, summaries, redone } = result;
    if (ctx.json) ctx.outJson({ batchId, counts, redone, jobs, summaries });
    else {
      ctx.out(table(['app', 'status', 'verdict', 'findings', 'attempts', 'device'], jobs.map((j) => [j.appPath.split('/').pop(), j.status, j.verdict ?? j.errorCode ?? '', j.ruleIds ?? '', j.attempts, j.device ?? ''])));
      ctx.out(`\nbatch ${batchId}: ${counts.done} done, ${counts.failed} failed, ${counts.queued} queued${opts.resume ? `, ${redone} unfinished redone` : ''}`);
      ctx.out(`summary: ${summaries.csv}\n         ${summaries.xlsx}`);
    }
    if (interrupt.signal.aborted) return EXIT.interrupted;
    return counts.failed > 0 || counts.queued > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    interrupt.dispose();
  }
}

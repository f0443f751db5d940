import type { Command } from 'commander';
import { EXIT } from '../../core/errors.js';
import { action } from '../action.js';
import { batchAction } from './batch.js';
import { interruptOnSignals } from '../interrupt.js';
import { parsePositiveInt, parseScale } from '../options.js';

/**
 * Many hosts on one BullMQ queue: `farm coordinator` is `batch --distributed` (enqueue and
 * collect); `farm worker` runs on each host with attached devices and writes bundles to the
 * shared captures root.
 */
export function registerFarm(program: Command): void {
  const farm = program.command('farm').description('distributed farm on Redis (BullMQ): a coordinator enqueues, workers on each host run apps');
  farm
    .command('worker')
    .description('take apps from the shared queue while this host has a free device; Ctrl-C to stop')
    .option('--devices <all|N>', 'use all healthy devices, or at most N', 'all')
    .option('--observe-scale <factor>', 'multiply every observe step', '1')
    .action(
      action(async (ctx, opts: { devices: string; observeScale: string }) => {
        const { serveFarmWorker } = await import('../../farm/run-batch.js');
        const interrupt = interruptOnSignals(ctx.logger);
        try {
          await serveFarmWorker(ctx.loaded, {
            deviceLimit: opts.devices === 'all' ? Infinity : parsePositiveInt(opts.devices, 'devices'),
            observeScale: parseScale(opts.observeScale),
            logger: ctx.logger,
            signal: interrupt.signal,
            onStarted: (devices, queue) => ctx.out(`farm worker: ${devices} device(s) on queue "${queue}"; Ctrl-C to stop`),
          });
          return EXIT.ok;
        } finally {
          interrupt.dispose();
        }
      }),
    );
  farm
    .command('coordinator <dirOrList>')
    .description('enqueue a batch on the shared queue and collect results (same as: batch --distributed)')
    .option('-s, --scenario <id>', 'scenario for every app', 'standard')
    .option('--observe-scale <factor>', 'multiply every observe step', '1')
    .option('--max-attempts <n>', 'attempts per app across workers', '3')
    .action(
      action((ctx, source: string, opts: { scenario: string; observeScale: string; maxAttempts: string }) =>
        batchAction(ctx, source, { ...opts, devices: 'all', distributed: true }),
      ),
    );
}

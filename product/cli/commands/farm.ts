import { join } from 'node:path';
import type { Command } from 'commander';
import { ConsentryError, EXIT, InputError } from '../../core/errors.js';
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
        const { config } = ctx.loaded;
        if (!config.farm.redis) throw new InputError('CONFIG_INVALID', 'a farm worker needs farm.redis.url in the config', { field: 'farm.redis' });
        const { redisConnection } = await import('../../farm/distributed/connection.js');
        const { FarmWorker } = await import('../../farm/distributed/worker.js');
        const { farmDevices, openPipeline, pipelineRunner } = await import('../../run/index.js');
        const interrupt = interruptOnSignals(ctx.logger);
        const pipeline = await openPipeline(ctx.loaded, { logger: ctx.logger, standbyProxies: true });
        try {
          const devices = farmDevices(pipeline, config.capturesRoot);
          const limit = opts.devices === 'all' ? Infinity : parsePositiveInt(opts.devices, 'devices');
          const serials = devices.serials().slice(0, limit);
          if (serials.length === 0) throw new ConsentryError('DEVICE_NONE', 'no healthy device is connected to this host (see consentry devices)', { exitCode: EXIT.environment });
          const worker = new FarmWorker(
            { ...devices, serials: () => serials },
            pipelineRunner(pipeline, { capturesRoot: join(config.capturesRoot, 'farm'), scenario: 'standard', observeScale: parseScale(opts.observeScale), reportFormats: ['html', 'json'] }, ctx.logger),
            { queueName: config.farm.queue, connection: redisConnection(config.farm.redis), jobLeaseMs: config.farm.jobLeaseMs, logger: ctx.logger },
          );
          worker.start();
          ctx.out(`farm worker: ${serials.length} device(s) on queue "${config.farm.queue}"; Ctrl-C to stop`);
          await new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(), { once: true }));
          await worker.stop();
          return EXIT.ok;
        } finally {
          interrupt.dispose();
          await pipeline.close();
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

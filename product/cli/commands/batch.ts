import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConsentryError, EXIT, InputError } from '../../core/errors.js';
import { attachBatchProgress } from '../../farm/batch-progress.js';
import type { JobRow } from '../../farm/job-store.js';
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

/** The batch command's body; `farm coordinator` calls it with distributed on. */
export async function batchAction(ctx: CliContext, source: string | undefined, opts: BatchOptions): Promise<number> {
        const { config } = ctx.loaded;
        const { JobStore } = await import('../../farm/job-store.js');
        const { readAppList } = await import('../../farm/app-list.js');
        const store = new JobStore(join(config.capturesRoot, 'farm.sqlite'));
        const interrupt = interruptOnSignals(ctx.logger);
        try {
          let batchId: string;
          if (opts.resume) {
            batchId = typeof opts.resume === 'string' ? opts.resume : (store.latestBatch() ?? '');
            if (!batchId || !store.batchExists(batchId)) throw new InputError('BATCH_NOT_FOUND', `no batch "${batchId || '(none yet)'}" to resume in ${config.capturesRoot}`);
            const requeued = store.recoverInterrupted(batchId);
            ctx.logger.info({ batchId, requeued }, 'resuming');
          } else {
            if (!source) throw new InputError('USAGE', 'give a folder of apps or a CSV list (or --resume)');
            batchId = `batch-${new Date().toISOString().replace(/[-:.]/g, '')}`;
            const jobs = readAppList(source).map((j) => ({ ...j, scenario: j.scenario ?? opts.scenario }));
            store.createBatch(batchId, source, { scenario: opts.scenario, observeScale: opts.observeScale }, jobs);
          }
          const observeScale = parseScale(opts.observeScale);
          if (opts.distributed) {
            if (!config.farm.redis) throw new InputError('CONFIG_INVALID', 'distributed mode needs farm.redis.url in the config', { field: 'farm.redis' });
            const { redisConnection } = await import('../../farm/distributed/connection.js');
            const { FarmCoordinator } = await import('../../farm/distributed/coordinator.js');
            const coordinator = new FarmCoordinator(store, { queueName: config.farm.queue, connection: redisConnection(config.farm.redis), attempts: parsePositiveInt(opts.maxAttempts, 'max-attempts', 20) });
            try {
              const n = await coordinator.submit(batchId);
              ctx.logger.info({ batchId, jobs: n }, 'enqueued; waiting for farm workers');
              await coordinator.waitForBatch(batchId, undefined, interrupt.signal);
            } finally {
              await coordinator.close();
            }
          } else {
            const { farmDevices, openPipeline, pipelineRunner } = await import('../../run/index.js');
            const { BatchRunner } = await import('../../farm/batch-runner.js');
            const pipeline = await openPipeline(ctx.loaded, { logger: ctx.logger, standbyProxies: true });
            try {
              const limit = opts.devices === 'all' ? Infinity : parsePositiveInt(opts.devices, 'devices');
              const devices = farmDevices(pipeline, config.capturesRoot);
              const serials = devices.serials().slice(0, limit);
              if (serials.length === 0) throw new ConsentryError('DEVICE_NONE', 'no healthy device is connected (see consentry devices)', { exitCode: EXIT.environment });
              const runner = new BatchRunner(
                store,
                { ...devices, serials: () => serials },
                pipelineRunner(pipeline, { capturesRoot: join(config.capturesRoot, batchId), scenario: opts.scenario, observeScale, reportFormats: ['html', 'json'] }, ctx.logger),
                { batchId, logger: ctx.logger, maxAttempts: parsePositiveInt(opts.maxAttempts, 'max-attempts', 20), maxConsecutiveFailures: config.devices.maxConsecutiveFailures, signal: interrupt.signal },
              );
              const detach = ctx.json ? () => undefined : attachBatchProgress(runner, store.jobs(batchId).length, serials);
              try {
                await runner.run();
              } finally {
                detach();
              }
            } finally {
              await pipeline.close();
            }
          }
          const jobs = store.jobs(batchId);
          const summaryFiles = await writeSummaries(jobs, join(config.capturesRoot, batchId));
          const counts = store.counts(batchId);
          if (ctx.json) ctx.outJson({ batchId, counts, jobs, summaries: summaryFiles });
          else {
            ctx.out(table(['app', 'status', 'verdict', 'findings', 'attempts', 'device'], jobs.map((j) => [j.appPath.split('/').pop(), j.status, j.verdict ?? j.errorCode ?? '', j.ruleIds ?? '', j.attempts, j.device ?? ''])));
            ctx.out(`\nbatch ${batchId}: ${counts.done} done, ${counts.failed} failed, ${counts.queued} queued`);
            ctx.out(`summary: ${summaryFiles.csv}\n         ${summaryFiles.xlsx}`);
          }
          if (interrupt.signal.aborted) return EXIT.interrupted;
          return counts.failed > 0 || counts.queued > 0 ? EXIT.failure : EXIT.ok;
        } finally {
          interrupt.dispose();
          store.close();
        }
}

/** CSV and XLSX across the batch's finished runs, for lab reporting. */
async function writeSummaries(jobs: JobRow[], dir: string): Promise<{ csv: string; xlsx: string }> {
  const { readBundle } = await import('../../evidence/bundle/index.js');
  const { buildReportModel, renderCsv, renderXlsx, summaryRow } = await import('../../judge/report/index.js');
  const rows = [];
  for (const job of jobs) {
    if (job.status !== 'done' || !job.bundleDir) continue;
    const bundle = await readBundle(job.bundleDir, { strict: false });
    rows.push(summaryRow(buildReportModel(bundle, bundle.findings)));
  }
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const csv = join(dir, 'summary.csv');
  const xlsx = join(dir, 'summary.xlsx');
  writeFileSync(csv, renderCsv(rows));
  writeFileSync(xlsx, await renderXlsx(rows));
  return { csv, xlsx };
}

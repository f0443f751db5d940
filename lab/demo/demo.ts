import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LoadedConfig } from '../../product/core/config.js';
import { ConsentryError } from '../../product/core/errors.js';
import type { Logger } from '../../product/core/logger.js';
import { silentLogger } from '../../product/core/logger.js';
import { BatchRunner } from '../../product/farm/batch-runner.js';
import { JobStore } from '../../product/farm/job-store.js';
import { loadSampleApps } from '../virtual-device/models/index.js';
import { openPipeline } from '../../product/run/index.js';
import { farmDevices, pipelineRunner } from '../../product/farm/pipeline-farm.js';
import { writeSampleInputs } from './sample-inputs.js';
import { startVirtualFarmProcess } from './virtual-farm-process.js';
import { SAMPLE_APPS_DIR } from '../sample-apps/index.js';

/**
 * The main job for a new user: a virtual farm, the sample apps, the whole pipeline, reports.
 * Each sample app's model states the findings it must produce; the demo says whether they did.
 */
export interface DemoOptions {
  devices: number;
  scenario: string;
  observeScale: number;
  /** Sample app ids (model file names without .model.yaml); all when empty. */
  apps?: string[];
  logger?: Logger;
  /** Shows batch progress; returns a function that stops showing it. */
  attachProgress?: (runner: BatchRunner, total: number, serials: string[]) => () => void;
  signal?: AbortSignal;
}

export interface DemoAppResult {
  app: string;
  package: string;
  bundle: string | null;
  report: string | null;
  status: string;
  verdict: string | null;
  ruleIds: string[];
  expected: string[] | null;
  matchesExpected: boolean | null;
  error?: string;
}

export async function runDemo(loaded: LoadedConfig, options: DemoOptions): Promise<DemoAppResult[]> {
  const { config } = loaded;
  const logger = options.logger ?? silentLogger();
  const samples = loadSampleApps().map((s) => ({ ...s, id: s.file.split('/').pop()!.replace(/\.model\.yaml$/, '') }));
  const chosen = options.apps?.length ? samples.filter((s) => options.apps!.includes(s.id)) : samples;
  if (chosen.length === 0) throw new ConsentryError('DEMO_NO_APPS', `no sample app matches: expected some of ${samples.map((s) => s.id).join(', ')}`, { exitCode: 2 });
  const batchId = `demo-${new Date().toISOString().replace(/[-:.]/g, '')}`;
  const inputsDir = join(config.capturesRoot, batchId, 'inputs');
  const jobs = chosen.map((s) => {
    const apk = join(SAMPLE_APPS_DIR, 'apks', `${s.id}.apk`);
    if (!existsSync(apk)) throw new ConsentryError('DEMO_APK_MISSING', `${apk} is missing: run npx tsx tooling/scripts/build-sample-apks.ts`);
    return { appPath: apk, ...writeSampleInputs(s.model, inputsDir, s.id) };
  });

  const farm = await startVirtualFarmProcess({ count: Math.min(options.devices, chosen.length), adb: config.adb, logger });
  const pipeline = await openPipeline(loaded, { logger, waitScale: Math.min(1, Math.max(options.observeScale * 2, 0.3)), leaseWaitMs: 30_000, standbyProxies: true });
  const store = new JobStore(join(config.capturesRoot, 'farm.sqlite'));
  try {
    await waitForDevices(pipeline, farm.serials);
    store.createBatch(batchId, 'demo', { scenario: options.scenario, observeScale: options.observeScale }, jobs);
    const runner = new BatchRunner(
      store,
      farmDevices(pipeline, config.stateDir, farm.serials),
      pipelineRunner(pipeline, { capturesRoot: join(config.capturesRoot, batchId), scenario: options.scenario, observeScale: options.observeScale, reportFormats: ['html', 'json'] }, logger),
      { batchId, logger, maxAttempts: 2, ...(options.signal ? { signal: options.signal } : {}) },
    );
    const detach = options.attachProgress?.(runner, jobs.length, farm.serials);
    try {
      await runner.run();
    } finally {
      detach?.();
    }
    return store.jobs(batchId).map((job, i) => {
      const sample = chosen[i]!;
      const expected = sample.model.expectedFindings[options.scenario as keyof typeof sample.model.expectedFindings] ?? null;
      const ruleIds = job.ruleIds ? job.ruleIds.split(' ').filter(Boolean) : [];
      return {
        app: sample.id,
        package: sample.model.manifest.package,
        bundle: job.bundleDir,
        report: job.bundleDir ? join(job.bundleDir, 'report.html') : null,
        status: job.status,
        verdict: job.verdict,
        ruleIds,
        expected: expected ? [...expected].sort() : null,
        matchesExpected: expected && job.status === 'done' ? JSON.stringify([...expected].sort()) === JSON.stringify(ruleIds) : null,
        ...(job.errorMessage ? { error: job.errorMessage } : {}),
      };
    });
  } finally {
    store.close();
    await pipeline.close();
    await farm.stop();
  }
}

async function waitForDevices(pipeline: Awaited<ReturnType<typeof openPipeline>>, serials: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ready = pipeline.pool.snapshot().filter((d) => serials.includes(d.serial) && d.state === 'device');
    if (ready.length === serials.length) return;
    if (Date.now() > deadline) throw new ConsentryError('DEVICE_VIRTUAL_START', `only ${ready.length} of ${serials.length} virtual devices appeared in adb`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

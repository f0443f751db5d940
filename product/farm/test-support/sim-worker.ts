/**
 * A farm worker process for the distributed-queue test: real BullMQ worker, real bundles on the
 * shared captures root, devices given on the command line. The app run itself is a short
 * recorded session (a bundle with a marker per second) so the test exercises the queue
 * mechanics — leases, heartbeats, a worker killed mid-run — not the pipeline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { BundleWriter } from '../../evidence/bundle/writer.js';
import { BUNDLE_SCHEMA_VERSION } from '../../contracts/bundle-schema.js';
import { redisConnection } from '../distributed/connection.js';
import { FarmWorker } from '../distributed/worker.js';
import type { FarmDevices } from '../batch-runner.js';

const [url, queueName, capturesRoot, devicesArg, workMs] = process.argv.slice(2);
const serials = devicesArg!.split(',');
const devices: FarmDevices = {
  serials: () => serials,
  assign: async (serial) => ({ serial, release: async () => undefined }),
  quarantine: async () => undefined,
};
const worker = new FarmWorker(
  devices,
  async (job, lease, onBundle) => {
    const writer = BundleWriter.create(capturesRoot!, {
      schemaVersion: BUNDLE_SCHEMA_VERSION,
      runId: `${job.batchId}-${job.id}-${process.pid}-${job.attempts}`,
      app: { package: 'com.example.sim' },
      device: { serial: lease.serial, profile: 'sim', clockOffsetMs: 0 },
      scenario: { id: 'sim' },
      tools: {},
      identifiers: {},
      startedAt: Date.now(),
      phases: [],
      coverage: {},
    });
    onBundle(writer.dir);
    process.stdout.write(`started ${job.appPath} ${writer.dir}\n`);
    const end = Date.now() + Number(workMs);
    while (Date.now() < end) {
      writer.addMarker({ t: Date.now(), kind: 'note', label: job.appPath });
      await sleep(100);
    }
    await writer.finish('complete');
    return { bundleDir: writer.dir, verdict: 'pass', ruleIds: [] };
  },
  { queueName: queueName!, connection: redisConnection({ url: url! }), jobLeaseMs: 2000, name: `w${process.pid}` },
);
worker.start();
process.stdout.write('worker ready\n');
process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));

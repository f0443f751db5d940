import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle } from '../../evidence/bundle/index.js';
import { BUNDLE_FILES } from '../../contracts/bundle-schema.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import { freePort } from '../../core/free-port.js';
import {
  analyseFlows,
  DEFAULT_BODY_LIMITS,
  defaultCaptureAdapters,
  loadOrCreateCaptureCa,
  removeOrphanedStandbyFolders,
  startStandbyProxy,
  startTrafficSession,
  type CaptureCa,
  type StandbyProxy,
} from '../../capture/traffic/index.js';

/** Under capturesRoot, beside the bundles, so a standby's native flow file moves into its bundle by rename. */
const STANDBY_FOLDER = '.standby-proxies';
import type { TrafficStage } from '../stage-interfaces.js';
import { addCoverage } from '../run-record.js';

/**
 * The intercepting proxy for a run (mitmproxy when installed, else the embedded one), the
 * farm's capture CA, and the offline re-scan of every flow once the agent has told us the
 * device's identifier values. With `standby` (batches, farms, the demo), the next run's proxy
 * starts in the background as soon as a run's proxy listens, so runs after the first find theirs
 * already listening.
 */
export function trafficStage(config: Config, options: { logger?: Logger; standby?: boolean } = {}): TrafficStage & { close(): Promise<void> } {
  const logger = options.logger ?? silentLogger();
  let ca: CaptureCa | undefined;
  const captureCa = () => (ca ??= loadOrCreateCaptureCa(config.stateDir, { capturesRoot: config.capturesRoot, logger }));
  const registry = defaultCaptureAdapters({ mitmdump: config.traffic.mitmdump });
  const limits = { ...DEFAULT_BODY_LIMITS, maxBytes: config.traffic.maxBodyBytes };
  let closed = false;
  let next: Promise<StandbyProxy | undefined> | undefined;
  const standbyRoot = join(config.capturesRoot, STANDBY_FOLDER);
  if (options.standby) {
    const removed = removeOrphanedStandbyFolders(standbyRoot);
    if (removed) logger.info({ removed }, 'removed standby proxy folders left by processes that were killed');
  }

  const warmNext = () => {
    if (!options.standby || closed || next) return;
    next = (async () => {
      const adapter = await registry.choose(config.traffic.adapter);
      return startStandbyProxy({ adapter, ca: captureCa(), logger, maxBodyBytes: limits.maxBytes, scratchRoot: standbyRoot });
    })().catch((e: unknown) => {
      logger.warn({ err: errorMessage(e) }, 'could not start a standby proxy; the next run starts its own');
      return undefined;
    });
  };
  /** The standby proxy if there is a usable one (listening or still starting). */
  const takeStandby = async (): Promise<StandbyProxy | undefined> => {
    // Taken before waiting: two devices starting at once must not both get the same proxy.
    const pending = next;
    next = undefined;
    const standby = await pending;
    if (standby && !standby.usable()) {
      await standby.dispose();
      return undefined;
    }
    return standby;
  };

  return {
    async ca() {
      const material = captureCa();
      return { pem: material.certPem, sha256: material.sha256 };
    },
    async start({ writer, appPackage, identifiers }) {
      const standby = await takeStandby();
      const port = standby?.port ?? (await freePort());
      const ready = startTrafficSession({
        adapter: config.traffic.adapter,
        registry,
        ca: captureCa(),
        sink: writer,
        app: { package: appPackage },
        identifiers: identifiers(),
        limits,
        nativeFlowFile: join(writer.dir, 'flows.mitm'),
        logger,
        ...(standby ? { standby } : { port }),
      }).then((session) => {
        warmNext();
        return {
          port: session.capture.port,
          tools: { proxy: session.capture.adapter, ...session.capture.versions },
          async stop() {
            const stats = await session.stop();
            addCoverage(writer, { tlsFailures: stats.tlsFailures });
          },
        };
      });
      return { port, ready };
    },
    async close() {
      closed = true;
      await (await takeStandby())?.dispose();
    },
    async rescan(bundleDir, identifiers) {
      const bundle = await readBundle(bundleDir, { strict: false });
      const flows = await analyseFlows(bundle, { extraIdentifiers: identifiers });
      const file = join(bundleDir, BUNDLE_FILES.flows);
      const tmp = `${file}.rescan-${process.pid}`;
      writeFileSync(tmp, flows.map((f) => `${JSON.stringify(f)}\n`).join(''));
      renameSync(tmp, file);
    },
  };
}

import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readBundle } from '../../bundle/index.js';
import { BUNDLE_FILES } from '../../bundle/schema.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { analyseFlows, DEFAULT_BODY_LIMITS, defaultCaptureAdapters, loadOrCreateCaptureCa, startTrafficSession, type CaptureCa } from '../../traffic/index.js';
import type { TrafficStage } from '../ports.js';

/**
 * The intercepting proxy for a run (mitmproxy when installed, else the embedded one), the
 * farm's capture CA, and the offline re-scan of every flow once the agent has told us the
 * device's identifier values.
 */
export function trafficStage(config: Config, options: { logger?: Logger } = {}): TrafficStage {
  const logger = options.logger ?? silentLogger();
  let ca: CaptureCa | undefined;
  const captureCa = () => (ca ??= loadOrCreateCaptureCa(config.stateDir, { capturesRoot: config.capturesRoot, logger }));
  const registry = defaultCaptureAdapters({ mitmdump: config.traffic.mitmdump });
  return {
    async ca() {
      const material = captureCa();
      return { pem: material.certPem, sha256: material.sha256 };
    },
    async start({ writer, appPackage, identifiers, port }) {
      const session = await startTrafficSession({
        adapter: config.traffic.adapter,
        registry,
        ca: captureCa(),
        sink: writer,
        app: { package: appPackage },
        identifiers: identifiers(),
        limits: { ...DEFAULT_BODY_LIMITS, maxBytes: config.traffic.maxBodyBytes },
        nativeFlowFile: join(writer.dir, 'flows.mitm'),
        port,
        logger,
      });
      return {
        port: session.capture.port,
        tools: { proxy: session.capture.adapter, ...session.capture.versions },
        async stop() {
          const stats = await session.stop();
          writer.updateRun({ coverage: { ...writer.run.coverage, tlsFailures: stats.tlsFailures } });
        },
      };
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

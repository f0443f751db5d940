import { statSync } from 'node:fs';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { DevicePreparer, installApp, LeaseLostError, readCaCertificate, readDeviceIdentifiers, type DevicePool } from '../../capture/devices/index.js';
import { mergeIdentifiers } from '../run-record.js';
import type { DeviceSession, DeviceStage } from '../stage-interfaces.js';

/**
 * The device pool as the pipeline sees it: a lease with heartbeats, preparation (proxy through
 * adb reverse, capture CA, instrumentation server) recorded in a journal, install, and a
 * teardown that undoes the journal.
 */
export function deviceStage(pool: DevicePool, config: Config, options: { logger?: Logger; adbVersion?: string } = {}): DeviceStage {
  const logger = options.logger ?? silentLogger();
  return {
    async lease(request, signal) {
      const lease = await pool.lease({ ...request, holder: `consentry pid ${process.pid}` });
      const heartbeat = setInterval(() => lease.heartbeat(), Math.max(config.devices.heartbeatMs / 2, 500));
      heartbeat.unref();
      const onAbort = () => undefined;
      signal.addEventListener('abort', onAbort, { once: true });
      const preparer = new DevicePreparer(lease);
      const identifiers = mergeIdentifiers(await readDeviceIdentifiers(lease.device, lease.facts.apiLevel), config.devices.identifiers[lease.serial]);
      const lost = lease.lost.then((end) => {
        throw new LeaseLostError(lease.serial, `${end.reason}: ${end.detail}`);
      });
      lost.catch(() => undefined);
      const session: DeviceSession = {
        device: {
          serial: lease.serial,
          profileId: lease.profile.id,
          model: lease.facts.model,
          apiLevel: lease.facts.apiLevel,
          abi: lease.facts.abi,
          clockOffsetMs: lease.clockOffsetMs,
          identifiers,
          tools: options.adbVersion ? { adb: options.adbVersion } : {},
        },
        lease,
        lost,
        async prepare({ proxyPort, caPem }) {
          const proxy = await preparer.setProxy(proxyPort);
          const ca = await preparer.installCa(readCaCertificate(caPem, 'capture CA'));
          logger.info({ device: lease.serial, proxy: proxy.proxy, ca: ca.method, verified: ca.verified }, 'device prepared');
          await preparer.startInstrumentationServer();
        },
        async install(files, packageName) {
          await preparer.uninstall(packageName).catch(() => undefined);
          await installApp(lease, { packageName, files: files.map((path) => ({ path, size: statSync(path).size })) }, preparer.journal);
        },
        async teardown(packageName) {
          const notes: string[] = [];
          await preparer.uninstall(packageName).catch((e: Error) => notes.push(`uninstall ${packageName}: ${e.message}`));
          const report = await preparer.teardown();
          for (const f of report.failed) notes.push(`could not undo: ${JSON.stringify(f)}`);
          return notes;
        },
        async release(outcome) {
          clearInterval(heartbeat);
          signal.removeEventListener('abort', onAbort);
          await lease.release(outcome);
        },
      };
      return session;
    },
  };
}

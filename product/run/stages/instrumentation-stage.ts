import type { Client } from '@devicefarmer/adbkit';
import type { BundleWriter } from '../../evidence/bundle/writer.js';
import type { Config } from '../../core/config.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import { FridaInstrumentation, fridaModuleFor, readAgentBundle, startLogcatCapture, type EvidenceSink } from '../../capture/instrumentation/index.js';
import { ObservedIdentifiers } from '../observed-identifiers.js';
import type { InstrumentationStage, LogStage } from '../stage-interfaces.js';
import { addCoverage } from '../run-record.js';

/**
 * Frida instrumentation through `adb forward` to the instrumentation server the profile names
 * (frida-server on a phone, the Frida-compatible service on the virtual device). Spawn gating
 * is on from here, so the scenario's own launch (monkey / am start) is caught before the app's
 * first line runs.
 */
export function instrumentationStage(config: Config, options: { logger?: Logger } = {}): InstrumentationStage {
  const logger = options.logger ?? silentLogger();
  return {
    async start(session, packageName, writer) {
      const settings = session.lease.profile.frida;
      if (config.instrumentation.adapter === 'none' || settings.module === 'none') {
        addCoverage(writer, { instrumentation: 'unavailable', instrumentationNote: `no instrumentation for profile ${session.lease.profile.id}` });
        return undefined;
      }
      let frida;
      try {
        frida = await fridaModuleFor({ virtual: settings.module === 'consentry-virtual' });
      } catch (err) {
        if (config.instrumentation.adapter === 'frida') throw err;
        // auto: a run without hooks is still worth having; its verdict says what it could not see.
        addCoverage(writer, { instrumentation: 'unavailable', instrumentationNote: (err as Error).message });
        logger.warn({ err: (err as Error).message }, 'instrumentation unavailable');
        return undefined;
      }
      // The adb server picks the host port and binds it at once: a port chosen here and bound
      // later could be taken meanwhile by another run's proxy. Removed when the run stops, so
      // a device that runs thousands of apps does not collect thousands of forwards.
      const device = session.lease.device;
      const hostPort = await device.forwardFromFreePort(`tcp:${settings.port}`);
      const removeForward = () => device.removeForward(hostPort).catch((e: unknown) => logger.warn({ err: errorMessage(e), hostPort }, 'could not remove the adb forward to the instrumentation server'));
      const observed = new ObservedIdentifiers();
      const sink: EvidenceSink = {
        get run() {
          return writer.run;
        },
        addEvent(event) {
          observed.take(event);
          return writer.addEvent(event);
        },
        // The recorder has validated the event already: skip the second pass on the hot path.
        appendTrusted(stream, event) {
          observed.take(event);
          return writer.appendTrusted(stream, event);
        },
        // The same, with the stack's part of the line encoded once per distinct stack.
        appendTrustedLine(stream, event, head, tail) {
          observed.take(event);
          return writer.appendTrustedLine(stream, event, head, tail);
        },
        addMarker: (m) => writer.addMarker(m),
        updateRun: (p) => writer.updateRun(p),
      };
      const adapter = new FridaInstrumentation({
        frida,
        device: { kind: 'remote', address: `127.0.0.1:${hostPort}` },
        agentSource: readAgentBundle(),
        logger,
      });
      let app;
      try {
        app = await adapter.start({ packageName, sink, logger });
      } catch (err) {
        await removeForward();
        throw err;
      }
      writer.addMarker({ t: Date.now(), kind: 'instrumentation.attached', label: `instrumentation armed for ${packageName} (spawn gating)` });
      return {
        observedIdentifiers: () => observed.snapshot(),
        tools: { agent: 'privacy', 'frida-module': settings.module },
        async stop() {
          try {
            await app.stop();
          } finally {
            await removeForward();
          }
        },
      };
    },
  };
}

/** logcat for the whole run into logcat.txt, with process starts and crashes on the timeline. */
export function logStage(adb: Client, options: { logger?: Logger } = {}): LogStage {
  return {
    async start(session, packageName, writer: BundleWriter) {
      return startLogcatCapture({
        adb,
        serial: session.device.serial,
        packageName,
        sink: writer,
        clockOffsetMs: session.device.clockOffsetMs,
        ...(options.logger ? { logger: options.logger } : {}),
      });
    },
  };
}

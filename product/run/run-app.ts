import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { EventEmitter } from 'node:events';
import { BundleWriter } from '../evidence/bundle/writer.js';
import { BUNDLE_FILES, BUNDLE_SCHEMA_VERSION, type FindingsDoc } from '../contracts/bundle-schema.js';
import { ConsentryError, errorMessage, EXIT } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { silentLogger } from '../core/logger.js';
import { packageVersion } from '../core/paths.js';
import { safeFileSegment } from '../core/untrusted.js';
import { addCoverage, addTools, RunIdentifiers } from './run-record.js';
import type { CaptureSession, DeviceSession, InstrumentationSession, LogcatSession, PipelineStages } from './stage-interfaces.js';

export interface RunRequest {
  apk: string;
  policy?: string;
  declared?: string;
  scenario: string;
  device?: { serial?: string; profile?: string };
  capturesRoot: string;
  ruleSet?: string;
  /** Multiplies every observe step (0.1 for a quick look, 1 for the lab's real timings). */
  observeScale?: number;
  reportFormats?: string[];
  childDirected?: boolean;
}

export interface RunResult {
  bundleDir: string;
  findings: FindingsDoc | undefined;
  reports: Record<string, string>;
  outcome: 'complete' | 'interrupted' | 'failed';
  error?: ConsentryError;
}

export type RunEvent =
  | { type: 'phase'; phase: string; state: 'start' | 'end'; ms?: number }
  | { type: 'step'; index: number; label: string }
  | { type: 'bundle'; dir: string }
  | { type: 'counts'; events: number; flows: number };

export class RunInterruptedError extends ConsentryError {
  constructor() {
    super('RUN_INTERRUPTED', 'the run was interrupted', { exitCode: EXIT.interrupted });
  }
}

/**
 * One app, one device, one scenario: lease → prepare and install (while the proxy starts) →
 * instrument → play → collect → tear down → analyse → report. Whatever happens, the device is torn down and
 * released, and the bundle is finished with an outcome that says why.
 */
export async function runApp(
  request: RunRequest,
  stages: PipelineStages,
  options: { logger?: Logger; signal?: AbortSignal; events?: EventEmitter } = {},
): Promise<RunResult> {
  const logger = options.logger ?? silentLogger();
  const signal = options.signal ?? new AbortController().signal;
  const emit = (e: RunEvent) => options.events?.emit('run', e);
  const timed = async <T>(name: string, writer: BundleWriter | undefined, fn: () => Promise<T>): Promise<T> => {
    if (signal.aborted) throw new RunInterruptedError();
    const start = Date.now();
    emit({ type: 'phase', phase: name, state: 'start' });
    const end = writer?.phase(name, start);
    try {
      return await fn();
    } finally {
      end?.();
      emit({ type: 'phase', phase: name, state: 'end', ms: Date.now() - start });
      logger.info({ phase: name, ms: Date.now() - start }, `phase ${name} done`);
    }
  };

  const app = await timed('intake', undefined, () => stages.intake.open(request.apk));
  const declarations = await timed('policy', undefined, () => stages.analysis.declarations({ policy: request.policy, declared: request.declared }));
  const session: DeviceSession = await timed('lease', undefined, () => stages.devices.lease(request.device ?? {}, signal));
  const device = session.device;
  const runId = `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${safeFileSegment(app.packageName)}-${safeFileSegment(device.serial)}-${randomBytes(3).toString('hex')}`;
  const ca = await stages.traffic.ca();
  const writer = BundleWriter.create(request.capturesRoot, {
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    runId,
    app: {
      package: app.packageName,
      ...(app.versionName ? { versionName: app.versionName } : {}),
      ...(app.versionCode !== undefined ? { versionCode: app.versionCode } : {}),
      ...(app.label ? { label: app.label } : {}),
      apkSha256: app.apkSha256,
      ...(request.childDirected ? { childDirected: true } : {}),
    },
    device: {
      serial: device.serial,
      profile: device.profileId,
      ...(device.model ? { model: device.model } : {}),
      ...(device.apiLevel ? { apiLevel: device.apiLevel } : {}),
      ...(device.abi ? { abi: device.abi } : {}),
      clockOffsetMs: device.clockOffsetMs,
    },
    scenario: { id: request.scenario },
    tools: { consentry: packageVersion(), ...device.tools, ...stages.scenarios.tools() },
    ...(request.ruleSet ? { ruleSet: request.ruleSet } : {}),
    captureCaSha256: ca.sha256,
    identifiers: device.identifiers,
    startedAt: Date.now(),
    phases: [],
    coverage: {},
  });
  emit({ type: 'bundle', dir: writer.dir });
  writer.writeFile(BUNDLE_FILES.staticFacts, `${JSON.stringify(app.staticFacts, null, 2)}\n`);
  writer.writeFile(BUNDLE_FILES.declarations, `${JSON.stringify(declarations, null, 2)}\n`);
  for (const input of [request.policy, request.declared]) {
    if (input && existsSync(input)) writer.writeFile(`${BUNDLE_FILES.inputs}/${safeFileSegment(basename(input))}`, readFileSync(input));
  }

  const identifiers = new RunIdentifiers(device.identifiers);
  let capture: CaptureSession | undefined;
  let captureStarting: Promise<CaptureSession> | undefined;
  let instrumentation: InstrumentationSession | undefined;
  let logcat: LogcatSession | undefined;
  let failure: unknown;
  const countsTimer = setInterval(() => emit({ type: 'counts', events: writer.counts.events, flows: writer.counts.flows }), 1000);
  countsTimer.unref();
  const lost = session.lost.catch((e: unknown) => {
    throw e;
  });
  lost.catch(() => undefined);
  try {
    const race = <T>(p: Promise<T>) => Promise.race([p, lost]);
    // The proxy starts (a mitmdump process: half a second or more), unless a standby one is
    // already listening, while the device is prepared and the app installed; the device is
    // pointed at its port meanwhile. It must be listening before instrumentation is armed, since
    // from then on anything may start the app.
    const traffic = await race(stages.traffic.start({ writer, appPackage: app.packageName, identifiers: () => identifiers.current() }));
    const proxyPort = traffic.port;
    captureStarting = timed('capture-start', writer, () => traffic.ready);
    captureStarting.catch(() => undefined);
    await timed('prepare', writer, () => race(session.prepare({ proxyPort, caPem: ca.pem, caSha256: ca.sha256 })));
    await timed('install', writer, () => race(session.install(app.installFiles, app.packageName)));
    logcat = await timed('logcat', writer, () => race(stages.logs.start(session, app.packageName, writer)));
    capture = await race(captureStarting);
    addTools(writer, capture.tools);
    addCoverage(writer, { traffic: 'active' });
    const started = await timed('instrument', writer, () => race(stages.instrumentation.start(session, app.packageName, writer)));
    instrumentation = started;
    if (started) identifiers.addSource(() => started.observedIdentifiers());
    addTools(writer, started?.tools);
    addCoverage(writer, { instrumentation: started ? 'active' : 'unavailable' });
    await timed('scenario', writer, () =>
      race(
        stages.scenarios.play(session, {
          packageName: app.packageName,
          installFiles: app.installFiles,
          scenario: request.scenario,
          writer,
          observeScale: request.observeScale ?? 1,
          signal,
          progress: { onStep: (index, label) => emit({ type: 'step', index, label }) },
        }),
      ),
    );
  } catch (err) {
    failure = err;
    logger.error({ err: errorMessage(err) }, 'run failed');
  } finally {
    clearInterval(countsTimer);
    // A run that failed while the proxy was still starting must still stop it.
    capture ??= await captureStarting?.catch(() => undefined);
    await timed('collect', writer, async () => {
      await Promise.allSettled([instrumentation?.stop(), logcat?.stop(), capture?.stop()]);
    }).catch(() => undefined);
    const undone = await session.teardown(app.packageName).catch((e: unknown) => [`teardown failed: ${errorMessage(e)}`]);
    if (undone.length) writer.addMarker({ t: Date.now(), kind: 'note', label: `device teardown: ${undone.join('; ')}` });
    // Ctrl-C is neither a success nor the device's failure: it must not reset or add to the count.
    await session.release({ ok: failure === undefined, interrupted: signal.aborted }).catch(() => undefined);
  }

  writer.updateRun({ identifiers: identifiers.current() });
  const interrupted = signal.aborted || failure instanceof RunInterruptedError;
  const outcome = interrupted ? 'interrupted' : failure ? 'failed' : 'complete';
  await writer.finish(outcome, failure && !interrupted ? errorMessage(failure) : interrupted ? 'interrupted by the user' : undefined);

  let findings: FindingsDoc | undefined;
  let reports: Record<string, string> = {};
  if (!interrupted) {
    await timed('rescan', undefined, () => stages.traffic.rescan(writer.dir, identifiers.current()));
    findings = await timed('analyse', undefined, () => stages.analysis.analyze(writer.dir, request.ruleSet ? { ruleSet: request.ruleSet } : {}));
    reports = await timed('report', undefined, () => stages.reports.write(writer.dir, request.reportFormats ?? ['html', 'json']));
  }
  return {
    bundleDir: writer.dir,
    findings,
    reports,
    outcome,
    ...(failure instanceof ConsentryError ? { error: failure } : failure ? { error: new ConsentryError('RUN_FAILED', errorMessage(failure), { cause: failure }) } : {}),
  };
}

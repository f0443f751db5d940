import type { Logger } from '../../core/logger.js';
import type { EvidenceSink } from './event-recorder.js';

/**
 * The instrumentation port the pipeline sees. Adapters: frida (phones and the virtual device,
 * through the frida module API), and none (a run without hooks says so in its coverage).
 */
export interface InstrumentationPort {
  readonly id: string;
  /** Prepares instrumentation of one app (spawn gating on); the app is not started yet. */
  start(target: InstrumentationTarget): Promise<InstrumentedApp>;
}

export interface InstrumentationTarget {
  packageName: string;
  sink: EvidenceSink;
  logger?: Logger;
}

export interface InstrumentedApp {
  /** Pids of the app's processes that have hooks in. */
  readonly pids: number[];
  /** Starts the app with hooks in before Application.onCreate; resolves with the main pid once it runs. */
  launch(): Promise<number>;
  /** Kills the app's processes and launches it again (a relaunch step). */
  relaunch(): Promise<number>;
  /** Waits until every event the agents hold has reached the bundle. */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes, unloads, detaches and writes the coverage verdict. */
  stop(): Promise<void>;
}

/** The adapter for `instrumentation.adapter: none`: records that the run had no hooks. */
export class NoInstrumentation implements InstrumentationPort {
  readonly id = 'none';

  constructor(private readonly launcher: (packageName: string) => Promise<number>) {}

  async start(target: InstrumentationTarget): Promise<InstrumentedApp> {
    const run = target.sink.run;
    target.sink.updateRun({
      coverage: { ...run.coverage, instrumentation: 'unavailable', instrumentationNote: 'instrumentation disabled (adapter: none)' },
    });
    const launch = () => this.launcher(target.packageName);
    return { pids: [], launch, relaunch: launch, flush: async () => undefined, stop: async () => undefined };
  }
}

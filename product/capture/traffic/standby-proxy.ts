import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { freePort } from '../../core/free-port.js';
import { processAlive } from '../../core/process.js';
import type { CaptureStartOptions, RunningCapture, TrafficCaptureAdapter } from './capture-port.js';
import type { CapturedExchange } from './exchange.js';

/**
 * A proxy started before the run that will use it. Starting mitmdump (a Python process) takes
 * half a second to a second on a busy host, on every run; a farm starts the next run's proxy in
 * the background while the current run plays, so the next run finds it listening.
 *
 * Until a run takes it, no device is pointed at its port, so it sees no traffic; anything that
 * arrives anyway is held (bounded) and handed to the run that takes it. Its native flow file is
 * written to a scratch folder and moved into the run's bundle when the run stops.
 */
export interface StandbyProxy {
  /** Chosen before the proxy starts, so the device can be pointed at it at once. */
  readonly port: number;
  /** Resolves when the proxy listens. */
  readonly ready: Promise<RunningCapture>;
  /** False when it failed to start or has exited since: a run must not take it. */
  usable(): boolean;
  /** The native flow file the proxy writes, if its adapter keeps one. */
  readonly nativeFlowFile: string | undefined;
  /** Routes exchanges (held ones first) to the run that took the proxy. */
  bind(onExchange: (exchange: CapturedExchange) => void): void;
  /** Moves the native flow file to `target` (after the proxy stopped) and removes the scratch folder. */
  handOverNativeFlowFile(target: string | undefined): void;
  /** Stops an untaken proxy and removes its scratch folder. */
  dispose(): Promise<void>;
}

/** Exchanges held before a run binds: a proxy nobody points at should see none. */
const MAX_HELD = 1000;

export interface StandbyOptions extends Omit<CaptureStartOptions, 'onExchange' | 'nativeFlowFile' | 'port'> {
  adapter: TrafficCaptureAdapter;
  /** Where the scratch folder goes: beside the bundles, so the hand-over is a rename. */
  scratchRoot: string;
}

export async function startStandbyProxy(options: StandbyOptions): Promise<StandbyProxy> {
  const logger = options.logger ?? silentLogger();
  const { adapter, scratchRoot, ...startOptions } = options;
  mkdirSync(scratchRoot, { recursive: true });
  // The owner's pid in the name, so a later process can tell a folder left by a killed one.
  const scratch = mkdtempSync(join(scratchRoot, `proxy-${process.pid}-`));
  const nativeFlowFile = join(scratch, 'flows.mitm');
  const held: CapturedExchange[] = [];
  let target: ((exchange: CapturedExchange) => void) | undefined;
  const port = await freePort(options.host);
  const ready = adapter.start({
    ...startOptions,
    port,
    nativeFlowFile,
    onExchange: (exchange) => {
      if (target) target(exchange);
      else if (held.length < MAX_HELD) held.push(exchange);
    },
  });
  let failed = false;
  let listening: RunningCapture | undefined;
  ready.then(
    (capture) => (listening = capture),
    () => {
      failed = true;
      rmSync(scratch, { recursive: true, force: true });
    },
  );
  return {
    port,
    ready,
    usable: () => !failed && (listening?.alive?.() ?? true),
    nativeFlowFile,
    bind(onExchange) {
      target = onExchange;
      for (const exchange of held.splice(0)) onExchange(exchange);
    },
    handOverNativeFlowFile(to) {
      try {
        if (to) moveFile(nativeFlowFile, to);
      } catch (e) {
        // An adapter without a native file, or a proxy that wrote nothing: the flows themselves
        // are in the bundle already.
        logger.debug({ err: errorMessage(e) }, 'no native flow file to hand over');
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    async dispose() {
      const capture = await ready.catch(() => undefined);
      await capture?.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (e) {
    // Another file system (captures on a mounted volume): copy, then remove.
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    copyFileSync(from, to);
    rmSync(from, { force: true });
  }
}

/**
 * Removes standby folders whose process is gone (killed before it could clean up, e.g. a batch
 * ended with SIGKILL). Their flows are in the bundles' flows.jsonl already; only the native copy
 * of an interrupted run's flows is dropped. Returns how many were removed.
 */
export function removeOrphanedStandbyFolders(scratchRoot: string): number {
  let names: string[];
  try {
    names = readdirSync(scratchRoot);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = Number(/^proxy-(\d+)-/.exec(name)?.[1]);
    if (!pid || processAlive(pid)) continue;
    rmSync(join(scratchRoot, name), { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

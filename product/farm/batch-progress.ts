import { basename } from 'node:path';
import cliProgress from 'cli-progress';
import { divertScreenLog } from '../core/logger.js';
import { logAbove } from '../run/progress.js';
import type { BatchEvent, BatchRunner } from './batch-runner.js';

/**
 * Batch progress: a bar for the batch (done, failed, running, ETA, apps/hour) and one line per
 * device in a terminal, with warnings printed above it; plain lines when not a TTY (CI logs,
 * files), e.g. `[3/8] done umeng.apk on emulator-5554: fail (CONSENT-PRE-COLLECT)`.
 */
export function attachBatchProgress(
  runner: BatchRunner,
  total: number,
  serials: string[],
  stream: NodeJS.WriteStream = process.stderr,
  divert: (printer: (line: string) => void) => () => void = divertScreenLog,
): () => void {
  const started = Date.now();
  let done = 0;
  let failed = 0;
  const running = new Map<string, string>();
  // From the average time per finished app; unknown until one has finished.
  const eta = () => {
    const finished = done + failed;
    if (finished === 0 || finished >= total) return '-';
    const seconds = Math.round((((Date.now() - started) / finished) * (total - finished)) / 1000);
    return seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
  };
  const rate = () => {
    const hours = (Date.now() - started) / 3_600_000;
    return hours > 0 ? Math.round((done + failed) / hours) : 0;
  };
  const count = (e: BatchEvent) => {
    if (e.type === 'done') done += 1;
    if (e.type === 'failed' && !e.requeued) failed += 1;
  };
  if (!stream.isTTY) {
    const onEvent = (e: BatchEvent) => {
      count(e);
      const line = eventLine(e);
      if (line) stream.write(`[${done + failed}/${total}] ${line}\n`);
    };
    runner.on('event', onEvent);
    return () => runner.off('event', onEvent);
  }
  const multi = new cliProgress.MultiBar(
    { clearOnComplete: false, hideCursor: true, stream, format: '{name} |{bar}| {value}/{total} {info}', fps: 4, linewrap: false },
    cliProgress.Presets.shades_grey,
  );
  const batchBar = multi.create(total, 0, { name: 'batch'.padEnd(22), info: '' });
  const deviceBars = new Map(serials.map((s) => [s, multi.create(1, 0, { name: s.padEnd(22).slice(0, 22), info: 'idle' }, { format: '{name} {info}' })]));
  const allBars = [batchBar, ...deviceBars.values()];
  const restoreScreen = divert((line) => logAbove(multi, allBars, line));
  const refresh = () => {
    batchBar.update(done + failed, {
      info: `done ${done} failed ${failed} running ${running.size} | ${rate()} apps/h | ETA ${eta()}`,
    });
    for (const [serial, bar] of deviceBars) bar.update(0, { info: running.get(serial) ?? 'idle' });
  };
  const onEvent = (e: BatchEvent) => {
    count(e);
    if (e.type === 'started') running.set(e.serial, basename(e.job.appPath));
    if (e.type === 'done' || e.type === 'failed') running.delete(e.serial);
    // Finished apps scroll above the bars; starts are visible in the device lines.
    const line = e.type === 'started' ? undefined : eventLine(e);
    if (line) logAbove(multi, allBars, `[${done + failed}/${total}] ${line}`);
    if (e.type === 'quarantined') running.set(e.serial, `QUARANTINED: ${e.reason}`);
    refresh();
  };
  runner.on('event', onEvent);
  return () => {
    runner.off('event', onEvent);
    refresh();
    // A last frame prints log lines still waiting for it; stop() alone would drop them.
    multi.update();
    multi.stop();
    restoreScreen();
  };
}

/** One line for a batch event, or undefined for events a person need not see. */
function eventLine(e: BatchEvent): string | undefined {
  const app = 'job' in e ? basename(e.job.appPath) : '';
  return e.type === 'started' ? `start ${app} on ${e.serial}`
    : e.type === 'done' ? `done  ${app} on ${e.serial}: ${e.result.verdict}${e.result.ruleIds.length ? ` (${e.result.ruleIds.join(' ')})` : ''}`
    : e.type === 'failed' ? `fail  ${app} on ${e.serial}: ${e.code}${e.requeued ? ' (requeued)' : ''}`
    : e.type === 'quarantined' ? `quarantined ${e.serial}: ${e.reason}`
    : undefined;
}

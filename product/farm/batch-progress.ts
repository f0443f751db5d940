import cliProgress from 'cli-progress';
import type { BatchEvent, BatchRunner } from './batch-runner.js';

/**
 * Batch progress: a bar for the batch (done, failed, running, ETA, apps/hour) and one line per
 * device in a terminal; plain lines when not a TTY (CI logs, files).
 */
export function attachBatchProgress(runner: BatchRunner, total: number, serials: string[], stream: NodeJS.WriteStream = process.stderr): () => void {
  const started = Date.now();
  let done = 0;
  let failed = 0;
  const running = new Map<string, string>();
  const rate = () => {
    const hours = (Date.now() - started) / 3_600_000;
    return hours > 0 ? Math.round((done + failed) / hours) : 0;
  };
  if (!stream.isTTY) {
    const onEvent = (e: BatchEvent) => {
      if (e.type === 'done') done += 1;
      if (e.type === 'failed' && !e.requeued) failed += 1;
      const line =
        e.type === 'started' ? `start ${e.job.appPath} on ${e.serial}`
        : e.type === 'done' ? `done  ${e.job.appPath} on ${e.serial}: ${e.result.verdict}${e.result.ruleIds.length ? ` (${e.result.ruleIds.join(' ')})` : ''}`
        : e.type === 'failed' ? `fail  ${e.job.appPath} on ${e.serial}: ${e.code}${e.requeued ? ' (requeued)' : ''}`
        : e.type === 'quarantined' ? `quarantined ${e.serial}: ${e.reason}`
        : undefined;
      if (line) stream.write(`[${done + failed}/${total}] ${line}\n`);
    };
    runner.on('event', onEvent);
    return () => runner.off('event', onEvent);
  }
  const multi = new cliProgress.MultiBar(
    { clearOnComplete: false, hideCursor: true, stream, format: '{name} |{bar}| {value}/{total} {info}', fps: 4 },
    cliProgress.Presets.shades_grey,
  );
  const batchBar = multi.create(total, 0, { name: 'batch'.padEnd(22), info: '' });
  const deviceBars = new Map(serials.map((s) => [s, multi.create(1, 0, { name: s.padEnd(22).slice(0, 22), info: 'idle' }, { format: '{name} {info}' })]));
  const refresh = () => {
    batchBar.update(done + failed, {
      info: `done ${done} failed ${failed} running ${running.size} | ${rate()} apps/h | ETA {eta_formatted}`,
    });
    for (const [serial, bar] of deviceBars) bar.update(0, { info: running.get(serial) ?? 'idle' });
  };
  const onEvent = (e: BatchEvent) => {
    if (e.type === 'started') running.set(e.serial, e.job.appPath.split('/').pop() ?? e.job.appPath);
    if (e.type === 'done') {
      done += 1;
      running.delete(e.serial);
    }
    if (e.type === 'failed') {
      if (!e.requeued) failed += 1;
      running.delete(e.serial);
    }
    if (e.type === 'quarantined') running.set(e.serial, `QUARANTINED: ${e.reason}`);
    refresh();
  };
  runner.on('event', onEvent);
  return () => {
    runner.off('event', onEvent);
    refresh();
    multi.stop();
  };
}

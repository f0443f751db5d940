import type { Logger, ScreenLog } from '../core/logger.js';

/**
 * First Ctrl-C (or SIGTERM): abort the run, so it tears down cleanly (proxy unset, app removed,
 * lease released) and leaves a bundle marked interrupted. A second one exits at once. The notice
 * goes through the screen log, so a live progress view prints it above itself.
 */
export function interruptOnSignals(logger: Logger, screen?: ScreenLog): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let count = 0;
  const handler = (sig: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      const notice = `consentry: ${sig}: stopping and tearing down (press Ctrl-C again to exit at once)`;
      if (screen) screen.print(notice);
      else process.stderr.write(`\n${notice}\n`);
      logger.warn({ signal: sig }, 'interrupted');
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

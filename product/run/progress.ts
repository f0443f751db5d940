import type { EventEmitter } from 'node:events';
import cliProgress from 'cli-progress';
import { divertScreenLog } from '../core/logger.js';
import type { RunEvent } from './run-app.js';

export interface RunProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Where log lines go while the live view is drawn; by default the CLI's screen log. */
  divert?: (printer: (line: string) => void) => () => void;
  now?: () => number;
}

/**
 * Live progress of one run. In a terminal: one status line redrawn in place (app, stage, current
 * scenario step, hook events and flows so far, elapsed time), warnings printed above it, and on
 * detach the line replaced by a one-line summary, so the command's result comes right after it.
 * Otherwise plain lines, one per phase and step, for CI logs and files.
 */
export function attachRunProgress(events: EventEmitter, label: string, options: RunProgressOptions = {}): () => void {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = now();
  const state = { phase: 'starting', step: '-', events: 0, flows: 0 };
  const elapsed = () => `${Math.round((now() - started) / 1000)}s`;

  if (!stream.isTTY) {
    const onRun = (e: RunEvent) => {
      if (e.type === 'phase' && e.state === 'start') stream.write(`${label}: ${e.phase} …\n`);
      if (e.type === 'phase' && e.state === 'end') stream.write(`${label}: ${e.phase} done in ${e.ms} ms\n`);
      if (e.type === 'step') stream.write(`${label}: step ${e.index + 1}: ${e.label}\n`);
      if (e.type === 'bundle') stream.write(`${label}: bundle ${e.dir}\n`);
    };
    events.on('run', onRun);
    return () => events.off('run', onRun);
  }

  // A MultiBar, even for one line, because it can print log lines above itself (log()).
  const view = new cliProgress.MultiBar(
    { format: `${label} | {phase} | {step} | events {events} | flows {flows} | {elapsed}`, hideCursor: true, stream, fps: 5, clearOnComplete: true, linewrap: false },
    cliProgress.Presets.shades_classic,
  );
  const line = view.create(1, 0, { ...state, elapsed: elapsed() });
  const redraw = () => line.update(0, { ...state, elapsed: elapsed() });
  const restoreScreen = (options.divert ?? divertScreenLog)((text) => logAbove(view, [line], text));
  // The elapsed time moves even when nothing happens (a long observe step).
  const ticker = setInterval(redraw, 1000);
  ticker.unref();
  const onRun = (e: RunEvent) => {
    if (e.type === 'phase' && e.state === 'start') state.phase = e.phase;
    if (e.type === 'step') state.step = `step ${e.index + 1}: ${e.label}`.slice(0, 50);
    if (e.type === 'counts') Object.assign(state, { events: e.events, flows: e.flows });
    redraw();
  };
  events.on('run', onRun);
  let detached = false;
  return () => {
    if (detached) return;
    detached = true;
    clearInterval(ticker);
    events.off('run', onRun);
    // One last draw prints log lines still waiting for the next frame; stop() would drop them.
    view.update();
    view.stop();
    restoreScreen();
    stream.write(`${label}: finished in ${elapsed()} (events ${state.events}, flows ${state.flows})\n`);
  };
}

/**
 * Prints a line above a cli-progress MultiBar at its next frame. The bars are marked for a
 * full redraw: the MultiBar writes log lines over the rows the bars held, and a bar whose text
 * has not changed would otherwise not be drawn again, leaving its row blank.
 */
export function logAbove(view: cliProgress.MultiBar, bars: cliProgress.SingleBar[], text: string): void {
  // Each line also clears the rest of its row, where a longer bar may have been drawn.
  const lines = text.replace(/\n$/, '').split('\n');
  view.log(lines.map((l) => `${l}\u001b[K\n`).join(''));
  for (const bar of bars) (bar as unknown as { lastDrawnString: string }).lastDrawnString = '';
}

import type { EventEmitter } from 'node:events';
import cliProgress from 'cli-progress';
import type { RunEvent } from './run-app.js';

/**
 * Live progress of one run: in a terminal, one status line redrawn in place (phase, step, hook
 * events and flows so far); otherwise plain lines, one per phase, for CI logs.
 */
export function attachRunProgress(events: EventEmitter, label: string, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} | {phase} | {step} | events {events} | flows {flows} | {elapsed}s`, hideCursor: true, stream, fps: 5 },
      cliProgress.Presets.shades_classic,
    );
    const started = Date.now();
    const state = { phase: 'starting', step: '-', events: 0, flows: 0, elapsed: 0 };
    bar.start(1, 0, state);
    const onRun = (e: RunEvent) => {
      if (e.type === 'phase' && e.state === 'start') state.phase = e.phase;
      if (e.type === 'step') state.step = `step ${e.index + 1}: ${e.label}`.slice(0, 50);
      if (e.type === 'counts') Object.assign(state, { events: e.events, flows: e.flows });
      state.elapsed = Math.round((Date.now() - started) / 1000);
      bar.update(0, state);
    };
    events.on('run', onRun);
    return () => {
      events.off('run', onRun);
      bar.stop();
    };
  }
  const onRun = (e: RunEvent) => {
    if (e.type === 'phase' && e.state === 'start') stream.write(`${label}: ${e.phase} …\n`);
    if (e.type === 'phase' && e.state === 'end') stream.write(`${label}: ${e.phase} done in ${e.ms} ms\n`);
    if (e.type === 'step') stream.write(`${label}: step ${e.index + 1}: ${e.label}\n`);
    if (e.type === 'bundle') stream.write(`${label}: bundle ${e.dir}\n`);
  };
  events.on('run', onRun);
  return () => events.off('run', onRun);
}

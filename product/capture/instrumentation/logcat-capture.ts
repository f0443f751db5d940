import type { Client } from '@devicefarmer/adbkit';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { LogcatTimeline, parseLogcatLine, type TimelineSink } from './logcat-timeline.js';

/** The buffers read, and therefore the buffers cleared: `logcat -c` alone clears only the defaults. */
export const LOGCAT_BUFFERS = 'main,system,events,crash';

/**
 * How far before the run's start a line may be and still be kept: covers the error of the
 * measured clock offset, not a previous run (whose teardown is seconds earlier).
 */
const CLOCK_SLACK_MS = 250;

/**
 * Streams the device log for the whole run into the bundle (logcat.txt) and the timeline.
 * `-v epoch` gives unambiguous times (threadtime has no year or zone); the events buffer carries
 * am_proc_start / wm_set_resumed_activity / am_crash. The buffers read are cleared first, and
 * any line older than the run's start is dropped anyway: a clear can fail or be partial (the
 * crash buffer on some builds), and a previous app's crash must not land in this run's bundle.
 */
export async function startLogcatCapture(options: {
  adb: Client;
  serial: string;
  packageName: string;
  sink: TimelineSink;
  clockOffsetMs?: number;
  /** Host time (epoch ms) the run started; lines older than this are dropped. Default: now. */
  notBefore?: number;
  logger?: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const logger = options.logger ?? silentLogger();
  const clockOffsetMs = options.clockOffsetMs ?? 0;
  const timeline = new LogcatTimeline({ packageName: options.packageName, sink: options.sink, clockOffsetMs });
  const device = options.adb.getDevice(options.serial);
  // In device time: a logcat line carries the device's clock.
  const cutoffDevice = (options.notBefore ?? Date.now()) - clockOffsetMs - CLOCK_SLACK_MS;
  // Clear first, every buffer read, so the bundle holds this run's log only.
  const clear = await device.shell(`logcat -b ${LOGCAT_BUFFERS} -c`);
  await new Promise<void>((resolve) => {
    clear.on('end', () => resolve());
    clear.on('close', () => resolve());
    clear.resume();
  });
  const stream = await device.shell(`logcat -v epoch -b ${LOGCAT_BUFFERS}`);
  stream.setEncoding('utf8');
  const filter = new StaleLineFilter(cutoffDevice);
  stream.on('data', (chunk: string) => {
    const fresh = filter.push(chunk);
    if (fresh) timeline.push(fresh);
  });
  stream.on('error', (err: Error) => logger.warn({ err }, 'logcat stream failed'));
  let ended = false;
  const finish = () => {
    const rest = filter.end();
    if (rest) timeline.push(rest);
    timeline.end();
  };
  const endPromise = new Promise<void>((resolve) => {
    const done = () => {
      if (!ended) {
        ended = true;
        finish();
      }
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
  });
  return {
    async stop() {
      stream.destroy();
      await Promise.race([endPromise, new Promise((r) => setTimeout(r, 2000))]);
      if (!ended) {
        ended = true;
        finish();
      }
    },
  };
}

/**
 * Passes whole lines through, dropping those whose own time is before the cutoff (device
 * time). Lines without a time (buffer headers such as "--------- beginning of main") pass.
 */
export class StaleLineFilter {
  private partial = '';
  dropped = 0;

  constructor(private readonly cutoffDeviceMs: number) {}

  /** Returns the complete, fresh lines of this chunk (with their newlines); keeps a partial last line. */
  push(chunk: string): string {
    const text = this.partial + chunk;
    const lastNl = text.lastIndexOf('\n');
    if (lastNl < 0) {
      this.partial = text;
      return '';
    }
    this.partial = text.slice(lastNl + 1);
    return this.keep(text.slice(0, lastNl + 1));
  }

  end(): string {
    const rest = this.partial;
    this.partial = '';
    return rest ? this.keep(rest) : '';
  }

  private keep(lines: string): string {
    return lines
      .split(/(?<=\n)/)
      .filter((line) => {
        const parsed = parseLogcatLine(line.replace(/\r?\n$/, ''));
        const stale = parsed !== undefined && parsed.t < this.cutoffDeviceMs;
        if (stale) this.dropped += 1;
        return !stale;
      })
      .join('');
  }
}

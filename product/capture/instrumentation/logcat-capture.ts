import type { Client } from '@devicefarmer/adbkit';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { LogcatTimeline, type TimelineSink } from './logcat-timeline.js';

/**
 * Streams the device log for the whole run into the bundle (logcat.txt) and the timeline.
 * `-v epoch` gives unambiguous times (threadtime has no year or zone); the events buffer carries
 * am_proc_start / wm_set_resumed_activity / am_crash.
 */
export async function startLogcatCapture(options: {
  adb: Client;
  serial: string;
  packageName: string;
  sink: TimelineSink;
  clockOffsetMs?: number;
  logger?: Logger;
}): Promise<{ stop(): Promise<void> }> {
  const logger = options.logger ?? silentLogger();
  const timeline = new LogcatTimeline({ packageName: options.packageName, sink: options.sink, clockOffsetMs: options.clockOffsetMs ?? 0 });
  const device = options.adb.getDevice(options.serial);
  // Clear first so the bundle holds this run's log only.
  const clear = await device.shell('logcat -c');
  await new Promise<void>((resolve) => {
    clear.on('end', () => resolve());
    clear.on('close', () => resolve());
    clear.resume();
  });
  const stream = await device.shell('logcat -v epoch -b main,system,events,crash');
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => timeline.push(chunk));
  stream.on('error', (err: Error) => logger.warn({ err }, 'logcat stream failed'));
  let ended = false;
  const endPromise = new Promise<void>((resolve) => {
    const done = () => {
      if (!ended) {
        ended = true;
        timeline.end();
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
        timeline.end();
      }
    },
  };
}

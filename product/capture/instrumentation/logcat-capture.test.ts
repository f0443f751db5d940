import { PassThrough } from 'node:stream';
import type { Client } from '@devicefarmer/adbkit';
import { describe, expect, it } from 'vitest';
import type { Marker } from '../../contracts/bundle-schema.js';
import { LOGCAT_BUFFERS, startLogcatCapture } from './logcat-capture.js';

const RUN_START = 1_750_000_100_000;
const epoch = (ms: number) => `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
const line = (ms: number, pid: number, tag: string, message: string, priority = 'I') => `${epoch(ms)}  ${pid}  ${pid} ${priority} ${tag}: ${message}\n`;

/** An adb client whose device answers `logcat -c` at once and streams `logcat` from the given text. */
function fakeAdb(logText: string[]) {
  const commands: string[] = [];
  let live: PassThrough | undefined;
  const adb = {
    getDevice: () => ({
      shell: async (command: string) => {
        commands.push(command);
        const stream = new PassThrough();
        if (command.includes(' -c')) stream.end();
        else {
          live = stream;
          setImmediate(() => {
            for (const chunk of logText) stream.write(chunk);
          });
        }
        return stream;
      },
    }),
  } as unknown as Client;
  return { adb, commands, close: () => live?.end() };
}

describe('logcat capture', () => {
  it('clears every buffer it reads, and drops lines older than the run start', async () => {
    // A previous app's crash, still in the crash buffer, and then this run's lines, split mid-line.
    const stale = line(RUN_START - 30_000, 4100, 'AndroidRuntime', 'FATAL EXCEPTION: main', 'E') + line(RUN_START - 30_000, 4100, 'AndroidRuntime', 'Process: com.previous.app, PID: 4100', 'E');
    const fresh = line(RUN_START + 1_000, 5200, 'ActivityManager', 'Start proc 5200:com.example.app/u0a120 for pre-top-activity {com.example.app/com.example.app.Main}');
    const { adb, commands, close } = fakeAdb(['--------- beginning of crash\n', stale, fresh.slice(0, 20), fresh.slice(20)]);
    const markers: Omit<Marker, 'id'>[] = [];
    let logText = '';
    const capture = await startLogcatCapture({
      adb,
      serial: 'S1',
      packageName: 'com.example.app',
      sink: { addMarker: (m) => markers.push(m), appendLogcat: (t) => (logText += t) },
      notBefore: RUN_START,
    });
    await new Promise((r) => setTimeout(r, 20));
    close();
    await capture.stop();
    expect(commands[0]).toBe(`logcat -b ${LOGCAT_BUFFERS} -c`);
    expect(commands[1]).toContain(`-b ${LOGCAT_BUFFERS}`);
    expect(logText).not.toContain('com.previous.app');
    expect(logText).toContain('Start proc 5200:com.example.app');
    expect(markers.map((m) => m.kind)).toEqual(['process.start']);
    expect(markers.some((m) => m.kind === 'app.crash')).toBe(false);
  });

  it('compares in device time: a device clock behind the host keeps its fresh lines', async () => {
    const offset = 60_000; // host − device: the device runs a minute behind
    const { adb, close } = fakeAdb([line(RUN_START - offset + 500, 7, 'Tag', 'fresh on the device clock'), line(RUN_START - offset - 5_000, 7, 'Tag', 'stale')]);
    let logText = '';
    const capture = await startLogcatCapture({ adb, serial: 'S1', packageName: 'p', sink: { addMarker: () => undefined, appendLogcat: (t) => (logText += t) }, clockOffsetMs: offset, notBefore: RUN_START });
    await new Promise((r) => setTimeout(r, 20));
    close();
    await capture.stop();
    expect(logText).toContain('fresh on the device clock');
    expect(logText).not.toContain('stale');
  });
});

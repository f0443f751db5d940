import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { attachBatchProgress } from './batch-progress.js';
import { FakeTerminal, screenOf } from '../run/test-support/fake-terminal.js';
import type { BatchRunner } from './batch-runner.js';
import type { JobRow } from './job-store.js';

function capture(): Writable & { text: string; isTTY: false } {
  const s = new Writable({
    write(chunk: Buffer, _enc, done) {
      s.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string; isTTY: false };
  s.text = '';
  s.isTTY = false;
  return s;
}

describe('batch progress outside a terminal', () => {
  it('writes one plain line per start, result and failure, counted against the total', () => {
    const runner = new EventEmitter() as unknown as BatchRunner;
    const out = capture();
    const detach = attachBatchProgress(runner, 2, ['emulator-5554', 'emulator-5556'], out as unknown as NodeJS.WriteStream, () => () => undefined);
    const job = (appPath: string) => ({ appPath }) as JobRow;
    runner.emit('event', { type: 'started', job: job('/apps/umeng.apk'), serial: 'emulator-5554' });
    runner.emit('event', { type: 'done', job: job('/apps/umeng.apk'), serial: 'emulator-5554', result: { bundleDir: '/c/b', verdict: 'fail', ruleIds: ['CONSENT-PRE-COLLECT'] } });
    runner.emit('event', { type: 'failed', job: job('/apps/reader.apk'), serial: 'emulator-5556', code: 'DEVICE_LOST', message: 'gone', requeued: false });
    detach();
    expect(out.text).toBe(
      [
        '[0/2] start umeng.apk on emulator-5554',
        '[1/2] done  umeng.apk on emulator-5554: fail (CONSENT-PRE-COLLECT)',
        '[2/2] fail  reader.apk on emulator-5556: DEVICE_LOST',
        '',
      ].join('\n'),
    );
  });
});

describe('batch progress in a terminal', () => {
  it('keeps the batch bar and one line per device, finished apps scroll above, and the result comes after', async () => {
    const term = new FakeTerminal(true);
    const runner = new EventEmitter() as unknown as BatchRunner;
    let print: ((line: string) => void) | undefined;
    const detach = attachBatchProgress(runner, 2, ['emulator-5554', 'emulator-5556'], term as unknown as NodeJS.WriteStream, (p) => {
      print = p;
      return () => (print = undefined);
    });
    const job = (appPath: string) => ({ appPath }) as JobRow;
    runner.emit('event', { type: 'started', job: job('/apps/umeng.apk'), serial: 'emulator-5554' });
    runner.emit('event', { type: 'started', job: job('/apps/reader.apk'), serial: 'emulator-5556' });
    await new Promise((r) => setTimeout(r, 300));
    print!('warn: frida-server restarted (serial=emulator-5556)\n');
    runner.emit('event', { type: 'done', job: job('/apps/umeng.apk'), serial: 'emulator-5554', result: { bundleDir: '/c/b', verdict: 'fail', ruleIds: ['CONSENT-PRE-COLLECT'] } });
    await new Promise((r) => setTimeout(r, 300));
    runner.emit('event', { type: 'done', job: job('/apps/reader.apk'), serial: 'emulator-5556', result: { bundleDir: '/c/c', verdict: 'pass', ruleIds: [] } });
    detach();
    term.write('app  verdict\n');
    const shown = screenOf(term.raw);
    expect(shown.slice(0, 3)).toEqual([
      'warn: frida-server restarted (serial=emulator-5556)',
      '[1/2] done  umeng.apk on emulator-5554: fail (CONSENT-PRE-COLLECT)',
      '[2/2] done  reader.apk on emulator-5556: pass',
    ]);
    expect(shown[3]).toMatch(/^batch +\|█+\| 2\/2 done 2 failed 0 running 0 \| \d+ apps\/h \| ETA -$/);
    expect(shown.slice(4)).toEqual(['emulator-5554          idle', 'emulator-5556          idle', 'app  verdict']);
  });
});

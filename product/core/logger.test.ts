import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createCliLogger, DeferredLogFile, formatLogLine, quieterLevel } from './logger.js';

const work = mkdtempSync(join(tmpdir(), 'consentry-logger-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function sink(): Writable & { text: string } {
  const s = new Writable({
    write(chunk: Buffer, _enc, done) {
      s.text += chunk.toString();
      done();
    },
  }) as Writable & { text: string };
  s.text = '';
  return s;
}

describe('the CLI logger', () => {
  it('shows warnings and errors as one readable line each, and keeps the full JSON log for the bundle', () => {
    const stderr = sink();
    const { logger, bundleLog } = createCliLogger({ level: 'info', screenLevel: 'warn', stderr });
    logger.info({ phase: 'prepare', ms: 412 }, 'phase prepare done');
    logger.warn({ serial: 'emulator-5554', err: new Error('socket hang up') }, 'frida-server restarted');
    logger.debug('below the log level');
    expect(stderr.text).toBe('warn: frida-server restarted (serial=emulator-5554, err=socket hang up)\n');

    const file = join(work, 'bundle', 'logs.jsonl');
    bundleLog.attach(file);
    logger.error({ code: 'ADB_LOST' }, 'device lost');
    const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(records.map((r) => r.msg)).toEqual(['phase prepare done', 'frida-server restarted', 'device lost']);
    expect(stderr.text.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('--verbose: the info log on the screen too; --log-file: JSON lines in that file', () => {
    const stderr = sink();
    const logFile = join(work, 'ci', 'consentry.log');
    const { logger } = createCliLogger({ level: 'debug', screenLevel: 'info', stderr, logFile });
    logger.info('phase lease done');
    logger.debug({ port: 8080 }, 'proxy listening');
    expect(stderr.text).toBe('info: phase lease done\n');
    expect(readFileSync(logFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['phase lease done', 'proxy listening']);
  });

  it('keeps at most its bound in memory before the bundle exists, and says how many it dropped', () => {
    const log = new DeferredLogFile(100);
    for (let i = 0; i < 10; i++) log.write(`${JSON.stringify({ level: 30, msg: `line ${i}` })}\n`);
    const file = join(work, 'bounded.jsonl');
    log.attach(file);
    log.close();
    const msgs = readFileSync(file, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs[0]).toMatch(/^\d+ earlier log lines were dropped/);
    expect(msgs.at(-1)).toBe('line 9');
    expect(msgs.length).toBeLessThan(10);
  });
});

describe('formatLogLine', () => {
  it('never gives more than one line, and cuts long values', () => {
    const line = formatLogLine(JSON.stringify({ level: 50, time: 1, pid: 2, hostname: 'h', app: 'consentry', msg: 'a\nb', body: 'x'.repeat(500) }));
    expect(line).not.toContain('\n');
    expect(line.startsWith('error: a ⏎ b (body=xxx')).toBe(true);
    expect(line.length).toBeLessThan(200);
  });

  it('orders levels from chatty to quiet', () => {
    expect(quieterLevel('warn', 'info')).toBe('warn');
    expect(quieterLevel('warn', 'error')).toBe('error');
    expect(quieterLevel('warn', 'silent')).toBe('silent');
  });
});

import type { LogEntry } from '../../contracts.js';
import {
  encodeBinaryLogEntry,
  formatLogEntry,
  LOG_BUFFERS,
  LOG_FORMATS,
  LogFilter,
  type LogBufferName,
  type LogFormat,
  type StoredLogEntry,
} from '../../os/logcat.js';
import type { CommandContext, ShellCommand } from '../command-context.js';

interface LogcatOptions {
  dump: boolean;
  clear: boolean;
  binary: boolean;
  format: LogFormat;
  /** `-v epoch`: seconds since the epoch instead of a local date; `-v UTC`: UTC instead of the device zone. */
  epoch?: boolean;
  utc?: boolean;
  buffers: LogBufferName[];
  /** -t N: last N then exit; -T N: last N then stream. */
  tail?: { count: number; exit: boolean };
  /** -T 'MM-DD hh:mm:ss.mmm' / -t with a time: entries since then. */
  since?: number;
  pid?: number;
  regex?: RegExp;
  specs: string[];
  printSizes: boolean;
}

const DEFAULT_BUFFERS: LogBufferName[] = ['main', 'system', 'crash'];

function parseTime(value: string, now: number): number | undefined {
  // 'MM-DD hh:mm:ss.mmm' in the current year, or seconds since the epoch (`-T 1700000000.000`).
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const m = /^(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,3}))?$/.exec(value);
  if (!m) return undefined;
  const year = new Date(now).getFullYear();
  return new Date(year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number((m[6] ?? '0').padEnd(3, '0'))).getTime();
}

async function parseArgs(ctx: CommandContext): Promise<LogcatOptions | number> {
  const o: LogcatOptions = { dump: false, clear: false, binary: false, format: 'threadtime', buffers: [], specs: [], printSizes: false };
  const args = ctx.args;
  let silent = false;
  for (let i = 0; i < args.length; i += 1) {
    let a = args[i]!;
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq !== -1) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const value = () => inline ?? (a.length > 2 && !a.startsWith('--') ? a.slice(2) : args[++i]) ?? '';
    const flag = a.startsWith('--') ? a : a.slice(0, 2);
    switch (flag) {
      case '-d':
        o.dump = true;
        break;
      case '-c':
      case '--clear':
        o.clear = true;
        break;
      case '-B':
      case '--binary':
        o.binary = true;
        break;
      case '-s':
        silent = true;
        break;
      case '-g':
        o.printSizes = true;
        break;
      case '-G':
      case '-r':
      case '-n':
      case '-f':
      case '-L':
        if (flag !== '-L') value();
        break;
      case '-v':
      case '--format': {
        const v = value();
        if ((LOG_FORMATS as readonly string[]).includes(v)) o.format = v as LogFormat;
        else if (v === 'epoch') o.epoch = true;
        else if (v === 'UTC') o.utc = true;
        else if (!['color', 'usec', 'nsec', 'UTC', 'year', 'zone', 'epoch', 'monotonic', 'uid', 'printable', 'descriptive'].includes(v)) {
          await ctx.err(`logcat: Invalid parameter "-v ${v}"\n`);
          return 1;
        }
        break;
      }
      case '-b':
      case '--buffer':
        for (const b of value().split(',')) {
          if (b === 'all') o.buffers.push(...LOG_BUFFERS);
          else if (b === 'default') o.buffers.push(...DEFAULT_BUFFERS);
          else if ((LOG_BUFFERS as readonly string[]).includes(b)) o.buffers.push(b as LogBufferName);
          else if (!['radio', 'kernel', 'stats', 'security'].includes(b)) {
            await ctx.err(`logcat: unknown buffer ${b}\n`);
            return 1;
          }
        }
        break;
      case '-t':
      case '-T': {
        const v = value();
        if (/^\d+$/.test(v)) o.tail = { count: Number(v), exit: flag === '-t' };
        else {
          const since = parseTime(v, ctx.os.now());
          if (since === undefined) {
            await ctx.err(`logcat: -${flag[1]} "${v}" not in time format\n`);
            return 1;
          }
          o.since = since;
          o.dump ||= flag === '-t';
        }
        if (flag === '-t') o.dump = true;
        break;
      }
      case '-e':
      case '--regex':
        o.regex = new RegExp(value());
        break;
      case '--pid':
        o.pid = Number(value());
        break;
      default:
        if (a.startsWith('-')) break;
        o.specs.push(a);
    }
  }
  if (silent) o.specs.unshift('*:S');
  if (o.buffers.length === 0) o.buffers = DEFAULT_BUFFERS;
  return o;
}

/**
 * `logcat`: dumps (-d, -t) or streams until the adb stream closes. Text formats follow
 * logprint.cpp; -B writes binary logger entries (adbkit's openLogcat reads those).
 */
export const logcat: ShellCommand = async (ctx) => {
  const parsed = await parseArgs(ctx);
  if (typeof parsed === 'number') return parsed;
  const o = parsed;
  const store = ctx.os.logs;
  if (o.clear) {
    store.clear(o.buffers);
    return 0;
  }
  if (o.printSizes) {
    await ctx.out(o.buffers.map((b) => `${b}: ring buffer is 256 KiB (${store.snapshot([b]).length * 80} B consumed), max entry is 5120 B, max payload is 4068 B\n`).join(''));
    return 0;
  }
  const filter = new LogFilter(o.specs);
  const tz = o.utc ? 'UTC' : (ctx.os.getProp('persist.sys.timezone') ?? 'UTC');
  const accepts = (e: LogEntry) =>
    o.buffers.includes(e.buffer) &&
    filter.accepts(e) &&
    (o.pid === undefined || e.pid === o.pid) &&
    (o.since === undefined || e.time >= o.since) &&
    (!o.regex || o.regex.test(e.message));
  const render = (e: StoredLogEntry) => (o.binary ? encodeBinaryLogEntry(e) : formatLogEntry(e, o.format, tz, o.epoch));

  // Entries logged while the backlog is written are queued, so nothing is lost or reordered.
  const queue: StoredLogEntry[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = o.dump
    ? () => undefined
    : store.subscribe((e) => {
        if (!accepts(e)) return;
        queue.push(e);
        wake?.();
      });
  try {
    let backlog = store.snapshot().filter(accepts);
    if (o.tail) backlog = backlog.slice(-o.tail.count);
    if (backlog.length) {
      const chunk = o.binary ? Buffer.concat(backlog.map((e) => encodeBinaryLogEntry(e))) : backlog.map((e) => formatLogEntry(e, o.format, tz, o.epoch)).join('');
      await ctx.out(chunk);
    }
    if (o.dump) return 0;
    while (!ctx.signal.aborted) {
      if (queue.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        wake = undefined;
        continue;
      }
      const batch = queue.splice(0, queue.length);
      const data = batch.map(render);
      await ctx.out(o.binary ? Buffer.concat(data as Buffer[]) : (data as string[]).join(''));
    }
    return 0;
  } finally {
    unsubscribe();
  }
};

import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type DestinationStream, type Logger, type StreamEntry } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerSettings {
  level?: string;
  /** One readable line per record instead of JSON; defaults to "stderr is a terminal". */
  pretty?: boolean;
  /** Where JSON lines go; defaults to stderr so stdout stays for command results. */
  destination?: number | string;
}

/**
 * JSON logs by default (for labs that ship logs), one readable line per record in a terminal.
 * Logs go to stderr: stdout belongs to the command's result (tables, --json documents). Used by
 * long-lived helpers (the virtual device); the CLI builds its own with createCliLogger.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const level = settings.level ?? process.env.CONSENTRY_LOG_LEVEL ?? 'info';
  const pretty = settings.pretty ?? (process.stderr.isTTY === true && !process.env.CI);
  const options = { level, base: { app: 'consentry' } };
  // Written in this thread, synchronously: a pretty-printing worker thread would print after the
  // command's result, in the middle of whatever else is on the screen.
  if (pretty) return pino(options, new ScreenLog(process.stderr));
  return pino(options, pino.destination({ dest: settings.destination ?? 2, sync: false }));
}

/** A logger that writes nothing: for library callers and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Keys every record carries that say nothing to a person reading the screen. */
const HIDDEN_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'app', 'msg', 'v']);
const MAX_VALUE_CHARS = 160;

/**
 * One pino JSON record as one screen line: `warn: message (key=value, key=value)`. Never more
 * than one line: newlines in messages and values are shown as "⏎", long values are cut.
 */
export function formatLogLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return oneLine(json.trim());
  }
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const fields = Object.entries(record)
    .filter(([key]) => !HIDDEN_KEYS.has(key))
    .map(([key, value]) => `${key}=${cut(fieldText(value))}`);
  const msg = typeof record.msg === 'string' ? record.msg : '';
  return oneLine(`${level}: ${msg}${fields.length ? ` (${fields.join(', ')})` : ''}`);
}

function fieldText(value: unknown): string {
  if (typeof value === 'string') return value;
  // pino's error serialiser gives { type, message, stack }: the message is what a person needs.
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return (value as { message: string }).message;
  return JSON.stringify(value) ?? String(value);
}

function cut(text: string): string {
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters (an app's escape codes) is the point
  return text.replace(/\r?\n/g, ' ⏎ ').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/**
 * Log records for a person: one line each on stderr. A live progress view takes these lines
 * over while it is drawn (divert), so that they appear above it instead of through it; once the
 * command has printed its result the screen is muted, so nothing comes after the result.
 */
export class ScreenLog implements DestinationStream {
  private printer: ((line: string) => void) | undefined;
  private muted = false;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  write(json: string): void {
    if (this.muted) return;
    const line = `${formatLogLine(json)}\n`;
    if (this.printer) this.printer(line);
    else this.stream.write(line);
  }

  /** A line for the person at the screen that is not a log record (a signal notice). */
  print(text: string): void {
    if (this.muted) return;
    const line = text.endsWith('\n') ? text : `${text}\n`;
    if (this.printer) this.printer(line);
    else this.stream.write(line);
  }

  /** Sends lines to `printer` until the returned function is called. */
  divert(printer: (line: string) => void): () => void {
    this.printer = printer;
    return () => {
      if (this.printer === printer) this.printer = undefined;
    };
  }

  mute(): void {
    this.muted = true;
  }
}

/**
 * The structured log of a command, as JSON lines, for its evidence bundle (`logs.jsonl`). The
 * bundle's folder is known only once the run has leased a device, so lines are kept in memory
 * (up to a bound; the oldest are dropped beyond it, and a note says how many) until attach().
 * Written synchronously: the process may exit right after the result.
 */
export class DeferredLogFile implements DestinationStream {
  private pending: string[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private fd: number | undefined;
  private path: string | undefined;

  constructor(private readonly maxPendingBytes = 16 * 1024 * 1024) {}

  get file(): string | undefined {
    return this.path;
  }

  write(line: string): void {
    if (this.fd !== undefined) {
      writeSync(this.fd, line);
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length;
    while (this.pendingBytes > this.maxPendingBytes && this.pending.length > 1) {
      this.pendingBytes -= this.pending.shift()!.length;
      this.dropped += 1;
    }
  }

  /** Starts writing to `file` (appending), first the lines kept so far. A second call is ignored. */
  attach(file: string): void {
    if (this.fd !== undefined) return;
    mkdirSync(dirname(file), { recursive: true });
    this.fd = openSync(file, 'a');
    this.path = file;
    if (this.dropped) writeSync(this.fd, `${JSON.stringify({ level: 40, time: Date.now(), msg: `${this.dropped} earlier log lines were dropped before the bundle existed` })}\n`);
    if (this.pending.length) writeSync(this.fd, this.pending.join(''));
    this.pending = [];
    this.pendingBytes = 0;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface CliLoggerSettings {
  /** Level of the structured log (the bundle's logs.jsonl and --log-file). */
  level: LogLevel;
  /** Level of the lines on the screen: warn unless --verbose. */
  screenLevel: LogLevel;
  /** One readable line per record (default), or the JSON lines themselves (daemons in a lab). */
  screenFormat?: 'line' | 'json';
  /** --log-file: JSON lines there too ("-" for stderr). */
  logFile?: string;
  stderr?: NodeJS.WritableStream;
}

export interface CliLogger {
  logger: Logger;
  screen: ScreenLog;
  bundleLog: DeferredLogFile;
}

let activeScreen: ScreenLog | undefined;

/**
 * The CLI's logger: readable warnings and errors on the screen (everything with --verbose), the
 * full JSON log kept for the run's bundle, and optionally a JSON copy wherever --log-file says.
 */
export function createCliLogger(settings: CliLoggerSettings): CliLogger {
  const screen = new ScreenLog(settings.stderr ?? process.stderr);
  const bundleLog = new DeferredLogFile();
  const streams: StreamEntry[] = [];
  if (settings.screenLevel !== 'silent') {
    streams.push({ level: settings.screenLevel, stream: settings.screenFormat === 'json' ? (settings.stderr ?? process.stderr) : screen });
  }
  if (settings.level !== 'silent') {
    streams.push({ level: settings.level, stream: bundleLog });
    if (settings.logFile) {
      const dest = settings.logFile === '-' ? 2 : settings.logFile;
      if (typeof dest === 'string') mkdirSync(dirname(dest), { recursive: true });
      streams.push({ level: settings.level, stream: pino.destination({ dest, sync: true, append: true }) });
    }
  }
  const levels = streams.map((s) => pino.levels.values[s.level as string] ?? Infinity);
  const lowest = levels.length ? Math.min(...levels) : Infinity;
  const level = Number.isFinite(lowest) ? (pino.levels.labels[lowest] ?? 'info') : 'silent';
  const logger = pino({ level, base: { app: 'consentry' } }, pino.multistream(streams));
  activeScreen = screen;
  return { logger, screen, bundleLog };
}

/**
 * For live progress views: while one is drawn, screen log lines go to `printer` (which prints
 * them above the view). Returns the function that gives the screen back.
 */
export function divertScreenLog(printer: (line: string) => void): () => void {
  return activeScreen ? activeScreen.divert(printer) : () => undefined;
}

/** The higher (quieter) of two levels. */
export function quieterLevel(a: LogLevel, b: LogLevel): LogLevel {
  const rank = (l: LogLevel) => (l === 'silent' ? Infinity : pino.levels.values[l]!);
  return rank(a) >= rank(b) ? a : b;
}

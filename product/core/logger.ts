import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: string;
  /** Pretty output for people; defaults to "stderr is a terminal". */
  pretty?: boolean;
  /** Where JSON lines go; defaults to stderr so stdout stays for command results. */
  destination?: number | string;
}

/**
 * JSON logs by default (for labs that ship logs), pretty in a terminal. Logs go to stderr:
 * stdout belongs to the command's result (tables, --json documents).
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const level = settings.level ?? process.env.CONSENTRY_LOG_LEVEL ?? 'info';
  const pretty = settings.pretty ?? (process.stderr.isTTY === true && !process.env.CI);
  const options: LoggerOptions = { level, base: { app: 'consentry' } };
  if (pretty) {
    return pino({
      ...options,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, ignore: 'pid,hostname,app', translateTime: 'HH:MM:ss.l' },
      },
    });
  }
  return pino(options, pino.destination({ dest: settings.destination ?? 2, sync: false }));
}

/** A logger that writes nothing: for library callers and tests that do not care. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

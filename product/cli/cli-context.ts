import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../core/config.js';
import { createCliLogger, quieterLevel, type DeferredLogFile, type Logger, type LogLevel, type ScreenLog } from '../core/logger.js';

/** What every command gets: parsed global options, the config, a logger and output helpers. */
export interface CliContext {
  json: boolean;
  debug: boolean;
  loaded: LoadedConfig;
  logger: Logger;
  /**
   * The command's structured log (JSON lines at --log-level), kept until a command says where
   * its bundle is: `run` puts it in the bundle as logs.jsonl.
   */
  bundleLog: DeferredLogFile;
  /** Log lines on stderr; progress views print them above themselves. */
  screen: ScreenLog;
  /** Writes a command result to stdout (tables for people, one JSON document with --json). */
  out(text: string): void;
  outJson(value: unknown): void;
}

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  debug?: boolean;
  verbose?: boolean;
  logLevel?: LogLevel;
  logFile?: string;
}

let cached: CliContext | undefined;

/**
 * Commands that draw progress: their screen shows warnings and errors only. The others (the farm
 * daemons, doctor, analyze…) keep the log on stderr as before: readable lines in a terminal,
 * JSON lines otherwise, for labs that ship them.
 */
const PROGRESS_COMMANDS = new Set(['run', 'demo', 'batch']);

/**
 * Built on first use so that `--help` never touches config or logging. For commands with a
 * progress view the screen shows warnings and errors only (one line each), unless --verbose; the
 * full log goes to the bundle and --log-file.
 */
export function contextFor(command: Command): CliContext {
  if (cached) return cached;
  const opts = command.optsWithGlobals<GlobalOptions>();
  const loaded = loadConfig(opts.config);
  const level: LogLevel = opts.debug ? 'debug' : (opts.logLevel ?? loaded.config.logLevel);
  const progress = PROGRESS_COMMANDS.has(command.name());
  const screenLevel = opts.verbose || !progress ? level : quieterLevel('warn', level);
  const screenFormat = progress || process.stderr.isTTY ? 'line' : 'json';
  const { logger, screen, bundleLog } = createCliLogger({ level, screenLevel, screenFormat, ...(opts.logFile ? { logFile: opts.logFile } : {}) });
  cached = {
    json: Boolean(opts.json),
    debug: Boolean(opts.debug),
    loaded,
    logger,
    bundleLog,
    screen,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    outJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
  return cached;
}

/** The context if a command has built one: main() mutes its screen once the result is out. */
export function currentContext(): CliContext | undefined {
  return cached;
}

/** For tests that run several CLI invocations in one process. */
export function resetContext(): void {
  cached = undefined;
}

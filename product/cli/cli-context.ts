import type { Command } from 'commander';
import { loadConfig, type LoadedConfig } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';

/** What every command gets: parsed global options, the config, a logger and output helpers. */
export interface CliContext {
  json: boolean;
  debug: boolean;
  loaded: LoadedConfig;
  logger: Logger;
  /** Writes a command result to stdout (tables for people, one JSON document with --json). */
  out(text: string): void;
  outJson(value: unknown): void;
}

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  debug?: boolean;
  logLevel?: string;
}

let cached: CliContext | undefined;

/** Built on first use so that `--help` never touches config or logging. */
export function contextFor(command: Command): CliContext {
  if (cached) return cached;
  const opts = command.optsWithGlobals<GlobalOptions>();
  const loaded = loadConfig(opts.config);
  const level = opts.debug ? 'debug' : (opts.logLevel ?? loaded.config.logLevel);
  const logger = createLogger({ level });
  cached = {
    json: Boolean(opts.json),
    debug: Boolean(opts.debug),
    loaded,
    logger,
    out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
    outJson: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
  return cached;
}

/** For tests that run several CLI invocations in one process. */
export function resetContext(): void {
  cached = undefined;
}

#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { ConsentryError, EXIT } from '../core/errors.js';
import { LOG_LEVELS } from '../core/logger.js';
import { packageVersion } from '../core/paths.js';
import { stopAll } from '../core/process.js';
import { currentContext } from './cli-context.js';
import { COMMANDS } from './commands/index.js';
import { EXIT_CODES_HELP } from './exit-codes.js';

/**
 * consentry's command line. Results go to stdout (a table, or one JSON document with --json).
 * stderr carries progress and warnings/errors, one line each; the full structured log goes to
 * the run's bundle (logs.jsonl), to --log-file, and with --verbose to the screen too. An error
 * is one line and a documented exit code; --debug adds the stack.
 */
export function buildProgram(): Command {
  const program = new Command('consentry')
    .description('Dynamic privacy analysis of Android apps: consent, permissions, identifiers in traffic, policy diff.')
    .version(packageVersion(), '-V, --version')
    .option('-c, --config <file>', 'configuration file (default: ./consentry.config.yaml if present)')
    .option('--json', 'print the result as one JSON document for scripts')
    .option('--debug', 'debug logging, and stack traces on errors')
    .option('-v, --verbose', 'show the log on the screen too (by default only warnings and errors; the full log is in the bundle)')
    .addOption(new Option('--log-level <level>', 'level of the structured log (bundle logs.jsonl, --log-file)').choices(LOG_LEVELS))
    .option('--log-file <file>', 'also write the structured log (JSON lines) to this file ("-" for stderr)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}`)
    .exitOverride();
  for (const register of COMMANDS) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    return reportError(err, debug);
  } finally {
    // The result (or the error) is the last thing on the screen; what the shutdown logs goes to
    // the bundle and --log-file only.
    currentContext()?.screen.mute();
    await stopAll();
    currentContext()?.bundleLog.close();
  }
}

function reportError(err: unknown, debug: boolean): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help text).
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (err instanceof ConsentryError) {
    process.stderr.write(`consentry: ${err.message}\n`);
    if (debug) process.stderr.write(`${err.stack ?? ''}\n${err.cause ? `cause: ${String((err.cause as Error).stack ?? err.cause)}\n` : ''}`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`consentry: internal error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`);
  if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return EXIT.failure;
}

// Run when executed directly (the bin), not when imported by tests.
const invokedAs = process.argv[1] ?? '';
if (/(?:^|[\\/])(?:main\.(?:js|ts)|consentry)$/.test(invokedAs)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // Everything we started has been stopped; a third-party handle (a socket a library keeps
      // alive) must not keep the command from ending. With --debug, say what was left.
      if (process.argv.includes('--debug')) {
        const left = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
        if (left.length) process.stderr.write(`consentry: still open at exit: ${left.join(', ')}\n`);
      }
      setTimeout(() => process.exit(code), 2000).unref();
    },
    (err: unknown) => {
      process.stderr.write(`consentry: ${String(err)}\n`);
      process.exitCode = EXIT.failure;
    },
  );
}

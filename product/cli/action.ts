import type { Command } from 'commander';
import { contextFor, type CliContext } from './cli-context.js';

/**
 * Wraps a command action so it receives the CLI context first. The handler may return an exit
 * code; thrown errors are reported by main() as one line.
 */
export function action<A extends unknown[]>(
  fn: (ctx: CliContext, ...args: A) => Promise<number | void> | number | void,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const ctx = contextFor(command);
    const code = await fn(ctx, ...(args.slice(0, -1) as A));
    if (typeof code === 'number') process.exitCode = code;
  };
}

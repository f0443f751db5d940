import type { ShellCommand } from '../command-context.js';

/** `which NAME...`: /system/bin/NAME for every command the shell knows; status 1 if any is missing. */
export function makeWhich(known: (name: string) => boolean): ShellCommand {
  return async (ctx) => {
    let status = 0;
    for (const name of ctx.args.filter((a) => !a.startsWith('-'))) {
      if (known(name)) await ctx.out(`/system/bin/${name}\n`);
      else status = 1;
    }
    return status;
  };
}

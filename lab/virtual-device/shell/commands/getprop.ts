import type { ShellCommand } from '../command-context.js';

/** `getprop` lists "[name]: [value]" lines; `getprop NAME [DEFAULT]` prints one value (empty if unset). */
export const getprop: ShellCommand = async (ctx) => {
  const args = ctx.args.filter((a) => !a.startsWith('-'));
  if (args.length === 0) {
    await ctx.out(ctx.os.listProps().map(([k, v]) => `[${k}]: [${v}]\n`).join(''));
    return 0;
  }
  await ctx.out(`${ctx.os.getProp(args[0]!) ?? args[1] ?? ''}\n`);
  return 0;
};

/** `setprop NAME VALUE`: ro.* properties are write-once, as init enforces. */
export const setprop: ShellCommand = async (ctx) => {
  const [name, value] = ctx.args;
  if (name === undefined || value === undefined) {
    await ctx.err('usage: setprop NAME VALUE\n\nSets an Android system property.\n');
    return 1;
  }
  if (name.startsWith('ro.') && ctx.os.getProp(name) !== undefined) {
    await ctx.err(`Failed to set property '${name}' to '${value}'.\nSee dmesg for error reason.\n`);
    return 1;
  }
  ctx.os.setProp(name, value);
  return 0;
};

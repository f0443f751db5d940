import { isSettingsNamespace } from '../../os/settings.js';
import type { ShellCommand } from '../command-context.js';
import { dropUserArgs } from './util.js';

const USAGE = `Settings provider (settings) commands:
  help
      Print this help text.
  get [--user <USER_ID> | current] NAMESPACE KEY
      Retrieve the current value of KEY.
  put [--user <USER_ID> | current] NAMESPACE KEY VALUE [TAG] [default]
      Change the contents of KEY to VALUE.
  delete [--user <USER_ID> | current] NAMESPACE KEY
      Delete the entry for KEY.
  list [--user <USER_ID> | current] NAMESPACE
      Print all defined keys.
      NAMESPACE is one of {system, secure, global}, case-insensitive
`;

/** `settings get|put|delete|list NAMESPACE ...` with SettingsService's output. */
export const settings: ShellCommand = async (ctx) => {
  const [verb, rawNs, key, ...rest] = dropUserArgs(ctx.args);
  if (!verb || verb === 'help' || verb === '-h') {
    await ctx.out(USAGE);
    return 0;
  }
  const ns = rawNs?.toLowerCase();
  if (!ns || !isSettingsNamespace(ns)) {
    await ctx.err(`Invalid namespace '${rawNs ?? ''}'\n${USAGE}`);
    return 255;
  }
  switch (verb) {
    case 'get':
      if (!key) break;
      await ctx.out(`${ctx.os.getSetting(ns, key) ?? 'null'}\n`);
      return 0;
    case 'put':
      if (!key || rest[0] === undefined) break;
      ctx.os.putSetting(ns, key, rest[0]);
      return 0;
    case 'delete': {
      if (!key) break;
      const had = ctx.os.getSetting(ns, key) !== undefined;
      ctx.os.putSetting(ns, key, undefined);
      await ctx.out(`Deleted ${had ? 1 : 0} rows\n`);
      return 0;
    }
    case 'list':
      await ctx.out(ctx.os.listSettings(ns).map(([k, v]) => `${k}=${v}\n`).join(''));
      return 0;
    default:
      break;
  }
  await ctx.err(`Invalid command: ${ctx.args.join(' ')}\n${USAGE}`);
  return 255;
};

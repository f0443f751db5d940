import type { ShellCommand } from '../command-context.js';

/** Services whose `cmd` front-end is the same as a shell command's. */
const PASSTHROUGH: Record<string, string> = {
  package: 'pm',
  activity: 'am',
  settings: 'settings',
  appops: 'appops',
  window: 'wm',
  input: 'input',
  input_method: 'ime',
};

/**
 * `cmd SERVICE ARGS...`: Binder shell commands. Android's pm/am/settings are themselves thin
 * wrappers around `cmd package/activity/settings`, so both spellings share one implementation.
 */
export const cmd: ShellCommand = async (ctx) => {
  const args = ctx.args.filter((a, i) => !(i === 0 && a === '-w'));
  const [service, ...rest] = args;
  if (!service || service === '-l') {
    await ctx.out(`Currently running services:\n${[...Object.keys(PASSTHROUGH), 'location', 'wifi', 'connectivity', 'phone', 'statusbar'].map((s) => `  ${s}\n`).join('')}`);
    return 0;
  }
  const target = PASSTHROUGH[service];
  if (target) return ctx.exec([target, ...rest]);
  switch (service) {
    case 'location':
      if (rest[0] === 'is-location-enabled') {
        await ctx.out(`${ctx.os.getSetting('secure', 'location_mode') !== '0'}\n`);
        return 0;
      }
      if (rest[0] === 'set-location-enabled') {
        ctx.os.putSetting('secure', 'location_mode', rest[1] === 'true' ? '3' : '0');
        return 0;
      }
      return 0;
    case 'wifi':
      if (rest[0] === 'set-wifi-enabled') ctx.os.putSetting('global', 'wifi_on', rest[1] === 'enabled' ? '1' : '0');
      else if (rest[0] === 'status') await ctx.out(`Wifi is ${ctx.os.getSetting('global', 'wifi_on') === '1' ? 'enabled' : 'disabled'}\n`);
      return 0;
    case 'connectivity':
      if (rest[0] === 'airplane-mode') {
        if (rest[1]) ctx.os.putSetting('global', 'airplane_mode_on', rest[1] === 'enable' ? '1' : '0');
        else await ctx.out(`${ctx.os.getSetting('global', 'airplane_mode_on') === '1' ? 'enabled' : 'disabled'}\n`);
      }
      return 0;
    case 'phone':
    case 'statusbar':
    case 'bluetooth_manager':
    case 'notification':
    case 'overlay':
    case 'uimode':
      return 0;
    default:
      await ctx.err(`cmd: Can't find service: ${service}\n`);
      return 20;
  }
};

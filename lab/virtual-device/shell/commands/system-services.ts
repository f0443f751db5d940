import type { ShellCommand } from '../command-context.js';

/** Small service front-ends: service, content, svc, ime. Their effects are recorded in settings. */

const BINDER_SERVICES = ['activity', 'package', 'window', 'input_method', 'power', 'settings', 'appops', 'phone', 'iphonesubinfo', 'wifi', 'location', 'notification', 'statusbar', 'clipboard', 'connectivity', 'display'];

export const service: ShellCommand = async (ctx) => {
  const [verb, name] = ctx.args;
  switch (verb) {
    case 'list':
      await ctx.out(`Found ${BINDER_SERVICES.length} services:\n${BINDER_SERVICES.map((s, i) => `${i}\t${s}: [android.os.I${s}]\n`).join('')}`);
      return 0;
    case 'check':
      await ctx.out(`Service ${name ?? ''}: ${name && BINDER_SERVICES.includes(name) ? 'found' : 'not found'}\n`);
      return 0;
    case 'call': {
      const code = Number(ctx.args[2]);
      if (name === 'iphonesubinfo' && Number.isInteger(code)) {
        await ctx.out(phoneSubInfoReply(ctx.os.identity, code));
        return 0;
      }
      await ctx.out("Result: Parcel(00000000    '....')\n");
      return 0;
    }
    default:
      await ctx.err('Usage: service [-h|-?]\n       service list\n       service check SERVICE\n       service call SERVICE CODE [i32 N | i64 N | f N | d N | s16 STR ] ...\n');
      return 1;
  }
};

export const content: ShellCommand = async (ctx) => {
  const [verb] = ctx.args;
  if (verb === 'query') {
    await ctx.out('No result found.\n');
    return 0;
  }
  if (['insert', 'update', 'delete', 'call', 'read', 'write'].includes(verb ?? '')) return 0;
  await ctx.err('usage: adb shell content [subcommand] [options]\n');
  return 1;
};

/** `svc wifi|data|bluetooth|nfc|power enable|disable`: toggles the matching global setting. */
export const svc: ShellCommand = async (ctx) => {
  const [what, verb] = ctx.args;
  const setting = { wifi: 'wifi_on', data: 'mobile_data', bluetooth: 'bluetooth_on', nfc: 'nfc_on' }[what ?? ''];
  if (setting && (verb === 'enable' || verb === 'disable')) {
    ctx.os.putSetting('global', setting, verb === 'enable' ? '1' : '0');
    return 0;
  }
  if (what === 'power' || what === 'usb') return 0;
  await ctx.err(`Unknown command '${what ?? ''}'\n`);
  return 1;
};

export const ime: ShellCommand = async (ctx) => {
  const [verb, id] = ctx.args;
  const current = ctx.os.getSetting('secure', 'default_input_method') ?? '';
  switch (verb) {
    case 'list':
      await ctx.out(ctx.args.includes('-s') ? `${current}\n` : `${current}:\n  mId=${current} mSettingsActivity=null\n`);
      return 0;
    case 'enable':
      await ctx.out(`Input method ${id ?? ''}: already enabled for user #0\n`);
      return 0;
    case 'disable':
      await ctx.out(`Input method ${id ?? ''}: now disabled for user #0\n`);
      return 0;
    case 'set':
      if (id) ctx.os.putSetting('secure', 'default_input_method', id);
      await ctx.out(`Input method ${id ?? ''} selected for user #0\n`);
      return 0;
    default:
      await ctx.err(`Unknown command: ${verb ?? ''}\n`);
      return 255;
  }
};

type SubInfoIdentity = { apiLevel: number; imei: string; imsi: string; iccid: string; phoneNumber: string; shellPrivilegedPhoneState?: boolean };

/**
 * The IPhoneSubInfo methods a shell user asks for by transaction code, per API level (the
 * position of each method in that release's IPhoneSubInfo.aidl; the harness's
 * product/capture/devices/identifiers.ts lists the same table with its sources).
 */
function subInfoMethod(apiLevel: number, code: number): 'imei' | 'imsi' | 'iccid' | 'phoneNumber' | undefined {
  const table: Record<number, 'imei' | 'imsi' | 'iccid' | 'phoneNumber'> =
    apiLevel <= 21
      ? { 1: 'imei', 6: 'imsi', 10: 'iccid', 12: 'phoneNumber' }
      : apiLevel <= 28
        ? { 1: 'imei', 7: 'imsi', 11: 'iccid', 13: 'phoneNumber' }
        : apiLevel <= 35
          ? { 1: 'imei', 2: 'imei', 8: 'imsi', 9: 'imsi', 12: 'iccid', 13: 'iccid', 15: 'phoneNumber' }
          : { 1: 'imei', 2: 'imei', 8: 'imsi', 9: 'imsi', 13: 'iccid', 14: 'iccid', 16: 'phoneNumber' };
  return table[code];
}

/**
 * What a phone answers the shell user (uid 2000). Up to API 28 the shell's READ_PHONE_STATE is
 * enough for every identifier. From 29 the IMEI, IMSI and ICCID need READ_PRIVILEGED_PHONE_STATE:
 * AOSP's shell holds it; a build whose shell does not (identity.shellPrivilegedPhoneState false)
 * answers a SecurityException parcel. The line-1 number only needs READ_PHONE_STATE. Codes of
 * other methods answer a null string.
 */
export function phoneSubInfoReply(identity: SubInfoIdentity, code: number): string {
  const method = subInfoMethod(identity.apiLevel, code);
  if (!method) return "Result: Parcel(00000000 ffffffff '........')\n";
  if (identity.apiLevel >= 29 && identity.shellPrivilegedPhoneState === false && method !== 'phoneNumber') {
    const caller = method === 'imei' ? 'getDeviceId' : method === 'imsi' ? 'getSubscriberId' : 'getIccSerialNumber';
    return formatParcel([0xffffffff], `${caller}: The user 2000 does not meet the requirements to access device identifiers.`);
  }
  return formatParcelString(identity[method]);
}

/** A string reply the way `service call` prints a Parcel: status, UTF-16 length, code units. */
function formatParcelString(value: string): string {
  return formatParcel([0], value);
}

/** Header words, then a String16 (length, code units two to a word), dumped 4 words a row. */
function formatParcel(header: number[], value: string): string {
  const units = [...value].map((c) => c.charCodeAt(0));
  if (units.length % 2 === 1) units.push(0);
  const words = [...header, value.length];
  for (let i = 0; i < units.length; i += 2) words.push((units[i]! | (units[i + 1]! << 16)) >>> 0);
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += 4) {
    const chunk = words.slice(i, i + 4);
    const hex = chunk.map((w) => w.toString(16).padStart(8, '0')).join(' ').padEnd(35, ' ');
    const ascii = chunk
      .flatMap((w) => [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, (w >>> 24) & 0xff])
      .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.'))
      .join('')
      // The last row's ASCII column keeps its width, padded with spaces inside the quotes.
      .padEnd(16, ' ');
    lines.push(`  0x${(i * 4).toString(16).padStart(8, '0')}: ${hex} '${ascii}'`);
  }
  return `Result: Parcel(\n${lines.join('\n')})\n`;
}

import { timeParts } from '../../os/logcat.js';
import type { ShellCommand } from '../command-context.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The offset of a time zone at an instant, as "+0800". */
function zoneOffset(ms: number, timeZone: string): string {
  const t = timeParts(ms, timeZone);
  const asUtc = Date.UTC(Number(t.year), Number(t.month) - 1, Number(t.day), Number(t.hour), Number(t.minute), Number(t.second));
  const minutes = Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/**
 * strftime for the conversions adb clients use (appium-adb asks for `+%Y-%m-%dT%T%z`), plus
 * toybox's own: %N nanoseconds, %1N..%9N its first digits (`date +%s%3N` is epoch ms), %:z.
 */
export function strftime(format: string, ms: number, timeZone: string): string {
  const t = timeParts(ms, timeZone);
  const weekday = new Date(Date.UTC(Number(t.year), Number(t.month) - 1, Number(t.day))).getUTCDay();
  const abbrev = timeZone === 'Asia/Shanghai' ? 'CST' : timeZone === 'UTC' ? 'UTC' : 'GMT';
  const nanos = String((((ms % 1000) + 1000) % 1000) * 1_000_000).padStart(9, '0');
  return format.replace(/%([0-9]N|:z|[a-zA-Z%])/g, (_m, c: string) => {
    if (c.length === 2 && c.endsWith('N')) return nanos.slice(0, Number(c[0]));
    switch (c) {
      case ':z': {
        const z = zoneOffset(ms, timeZone);
        return `${z.slice(0, 3)}:${z.slice(3)}`;
      }
      case 'Y':
        return t.year;
      case 'm':
        return t.month;
      case 'd':
        return t.day;
      case 'H':
        return t.hour;
      case 'M':
        return t.minute;
      case 'S':
        return t.second;
      case 'T':
        return `${t.hour}:${t.minute}:${t.second}`;
      case 'D':
        return `${t.month}/${t.day}/${t.year.slice(2)}`;
      case 'F':
        return `${t.year}-${t.month}-${t.day}`;
      case 'z':
        return zoneOffset(ms, timeZone);
      case 'Z':
        return abbrev;
      case 's':
        return String(Math.floor(ms / 1000));
      case 'N':
        return nanos;
      case 'a':
        return DAYS[weekday]!;
      case 'b':
        return MONTHS[Number(t.month) - 1]!;
      case 'e':
        return String(Number(t.day)).padStart(2, ' ');
      case '%':
        return '%';
      default:
        return `%${c}`;
    }
  });
}

/** `date [-u] [+FORMAT]`: the device clock (skew included) in the device time zone. */
export const date: ShellCommand = async (ctx) => {
  const utc = ctx.args.some((a) => /^-[a-zA-Z]*u/.test(a));
  const tz = utc ? 'UTC' : (ctx.os.getProp('persist.sys.timezone') ?? 'UTC');
  const fmt = ctx.args.find((a) => a.startsWith('+'));
  const text = strftime(fmt ? fmt.slice(1) : '%a %b %e %H:%M:%S %Z %Y', ctx.os.now(), tz);
  await ctx.out(`${text}\n`);
  return 0;
};

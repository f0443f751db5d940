import type { InputEvent } from '../../contracts.js';
import type { ShellCommand } from '../command-context.js';

/** android.view.KeyEvent codes for the names `input keyevent` accepts (KEYCODE_ prefix optional). */
const KEYCODES: Record<string, number> = {
  HOME: 3, BACK: 4, CALL: 5, ENDCALL: 6, STAR: 17, POUND: 18, DPAD_UP: 19, DPAD_DOWN: 20, DPAD_LEFT: 21, DPAD_RIGHT: 22,
  DPAD_CENTER: 23, VOLUME_UP: 24, VOLUME_DOWN: 25, POWER: 26, CAMERA: 27, CLEAR: 28, COMMA: 55, PERIOD: 56, TAB: 61,
  SPACE: 62, ENTER: 66, DEL: 67, MENU: 82, NOTIFICATION: 83, SEARCH: 84, MEDIA_PLAY_PAUSE: 85, PAGE_UP: 92,
  PAGE_DOWN: 93, ESCAPE: 111, FORWARD_DEL: 112, MOVE_HOME: 122, MOVE_END: 123, APP_SWITCH: 187, SLEEP: 223,
  WAKEUP: 224,
};
for (let d = 0; d <= 9; d += 1) KEYCODES[String(d)] = 7 + d;
for (let c = 0; c < 26; c += 1) KEYCODES[String.fromCharCode(65 + c)] = 29 + c;

export function keyCodeOf(name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  return KEYCODES[name.toUpperCase().replace(/^KEYCODE_/, '')];
}

const SOURCES = new Set(['keyboard', 'mouse', 'joystick', 'touchnavigation', 'touchpad', 'trackball', 'stylus', 'dpad', 'gesture', 'touchscreen', 'gamepad', 'rotaryencoder']);

const USAGE = `Usage: input [<source>] [-d DISPLAY_ID] <command> [<arg>...]

The commands and default sources are:
      text <string> (Default: touchscreen)
      keyevent [--longpress|--doubletap] <key code number or name> ... (Default: keyboard)
      tap <x> <y> (Default: touchscreen)
      swipe <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
      draganddrop <x1> <y1> <x2> <y2> [duration(ms)] (Default: touchscreen)
      press (Default: trackball)
`;

/** `input tap|swipe|keyevent|text`: delivered to the foreground app through the OS. */
export const input: ShellCommand = async (ctx) => {
  const args = [...ctx.args];
  if (args[0] && SOURCES.has(args[0])) args.shift();
  if (args[0] === '-d') args.splice(0, 2);
  const [verb, ...rest] = args;
  const nums = rest.filter((a) => !a.startsWith('--')).map(Number);
  const events: InputEvent[] = [];
  switch (verb) {
    case 'tap':
      if (nums.length < 2 || nums.some((n) => !Number.isFinite(n))) break;
      events.push({ kind: 'tap', x: nums[0]!, y: nums[1]! });
      break;
    case 'swipe':
    case 'draganddrop':
      if (nums.length < 4 || nums.some((n) => !Number.isFinite(n))) break;
      events.push({ kind: 'swipe', x1: nums[0]!, y1: nums[1]!, x2: nums[2]!, y2: nums[3]!, durationMs: nums[4] ?? 300 });
      break;
    case 'keyevent':
    case 'press': {
      for (const name of verb === 'press' ? ['DPAD_CENTER'] : rest.filter((a) => !a.startsWith('--'))) {
        const code = keyCodeOf(name);
        if (code === undefined) {
          await ctx.err(`Error: Unknown keycode: ${name}\n`);
          return 1;
        }
        events.push({ kind: 'key', keyCode: code });
      }
      break;
    }
    case 'text':
      // `input text` takes %s for a space (the shell would split it otherwise).
      if (rest.length) events.push({ kind: 'text', text: rest.join(' ').replace(/%s/g, ' ') });
      break;
    default:
      break;
  }
  if (events.length === 0) {
    await ctx.err(`Error: Invalid arguments for command: ${verb ?? ''}\n${USAGE}`);
    return 1;
  }
  for (const e of events) await ctx.os.input(e);
  return 0;
};

import type { ShellCommand } from '../command-context.js';

/** `wm size [WxH|reset]`, `wm density [N|reset]`, `wm dismiss-keyguard`. */
export const wm: ShellCommand = async (ctx) => {
  const [verb, value] = ctx.args.filter((a, i, all) => a !== '-d' && all[i - 1] !== '-d');
  const size = ctx.os.screenSize();
  switch (verb) {
    case 'size': {
      if (value === 'reset') ctx.os.setScreenOverride({});
      else if (value) {
        const m = /^(\d+)x(\d+)$/.exec(value);
        if (!m) {
          await ctx.err(`Error: bad size ${value}\n`);
          return 255;
        }
        ctx.os.setScreenOverride({ width: Number(m[1]), height: Number(m[2]) });
      } else await ctx.out(`Physical size: ${size.width}x${size.height}\n`);
      return 0;
    }
    case 'density':
      if (value === 'reset') ctx.os.setScreenOverride({});
      else if (value) ctx.os.setScreenOverride({ density: Number(value) });
      else await ctx.out(`Physical density: ${size.density}\n`);
      return 0;
    case 'dismiss-keyguard':
    case 'user-rotation':
    case 'fixed-to-user-rotation':
      return 0;
    default:
      await ctx.err(`Unknown command: ${verb ?? ''}\n`);
      return 255;
  }
};

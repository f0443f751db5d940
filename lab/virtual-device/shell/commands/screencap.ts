import { PNG } from 'pngjs';
import { normalizeDevicePath } from '../../os/filesystem.js';
import type { ShellCommand } from '../command-context.js';

const plain = new Map<string, Buffer>();

/** A blank launcher-grey screen, for a phone with no app runtime plugged in. */
function plainPng(width: number, height: number): Buffer {
  const key = `${width}x${height}`;
  let png = plain.get(key);
  if (!png) {
    const image = new PNG({ width, height });
    for (let i = 0; i < image.data.length; i += 4) {
      image.data[i] = 0x30;
      image.data[i + 1] = 0x30;
      image.data[i + 2] = 0x38;
      image.data[i + 3] = 0xff;
    }
    png = PNG.sync.write(image);
    plain.set(key, png);
  }
  return png;
}

/** `screencap -p [FILE]`: a PNG of the screen, to stdout or to a device file. */
export const screencap: ShellCommand = async (ctx) => {
  const file = ctx.args.find((a) => !a.startsWith('-'));
  const size = ctx.os.screenSize();
  const png = ctx.os.appHost?.screenshotPng() ?? plainPng(size.width, size.height);
  if (file) ctx.os.fs.writeFile(normalizeDevicePath(file, ctx.session.cwd), png);
  else await ctx.out(png);
  return 0;
};

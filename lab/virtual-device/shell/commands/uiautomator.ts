import { posix } from 'node:path';
import { FsError, normalizeDevicePath } from '../../os/filesystem.js';
import type { ShellCommand } from '../command-context.js';

/** Where `uiautomator dump` writes when no file is given (DumpCommand.DEFAULT_DUMP_FILE). */
export const DEFAULT_DUMP_FILE = '/sdcard/window_dump.xml';

const USAGE = `Usage: uiautomator <subcommand> [options]

Available subcommands:

help: displays help message

runtest: executes UI automation tests
    runtest <class spec> [options]

dump: creates an XML dump of current UI hierarchy
    dump [--verbose][file]
      [--compressed]: dumps compressed layout information.
      [file]: the location where the dumped XML should be stored, default is
      /sdcard/window_dump.xml

events: prints out accessibility events until terminated
`;

/** The launcher alone, when no app runtime is plugged in: a real screen always has a window. */
function launcherDump(width: number, height: number): string {
  return (
    `<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="0">` +
    `<node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.google.android.apps.nexuslauncher"` +
    ` content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false" focused="false"` +
    ` scrollable="false" long-clickable="false" password="false" selected="false" bounds="[0,0][${width},${height}]" />` +
    `</hierarchy>`
  );
}

/**
 * `uiautomator dump [--compressed] [--verbose] [FILE]`: writes the window hierarchy to a device
 * file and prints Android's message, typo included ("hierchary", DumpCommand.java), because
 * clients match that line to know where the file went.
 */
export const uiautomator: ShellCommand = async (ctx) => {
  const [sub, ...rest] = ctx.args;
  if (sub !== 'dump') {
    await ctx.out(USAGE);
    return sub === undefined || sub === 'help' ? 0 : 1;
  }
  const file = rest.find((a) => !a.startsWith('--')) ?? DEFAULT_DUMP_FILE;
  // File.getAbsolutePath(): relative to the shell's directory, links not resolved.
  const shown = posix.isAbsolute(file) ? file : posix.join(ctx.session.cwd, file);
  const size = ctx.os.screenSize();
  const xml = ctx.os.appHost?.uiHierarchyXml() ?? launcherDump(size.width, size.height);
  if (shown === '/dev/tty' || shown === '/dev/stdout') {
    // `adb exec-out uiautomator dump /dev/tty`: the XML goes to the terminal, then the message.
    await ctx.out(xml);
  } else {
    try {
      ctx.os.fs.writeFile(normalizeDevicePath(file, ctx.session.cwd), Buffer.from(xml, 'utf8'));
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      // DumpCommand lets the FileNotFoundException escape; the runtime prints it and exits 1.
      await ctx.err(`java.io.FileNotFoundException: ${shown}: open failed: ${err.errno} (${err.reason})\n`);
      return 1;
    }
  }
  await ctx.out(`UI hierchary dumped to: ${shown}\n`);
  return 0;
};

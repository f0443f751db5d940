import { normalizeDevicePath } from '../../os/filesystem.js';
import type { ShellCommand } from '../command-context.js';
import { sleep as sleepFor } from '../io.js';

/** Shell builtins and tiny toybox commands: true, false, exit, cd, export, sleep, echo, id, whoami, getenforce, sh. */

export const trueCommand: ShellCommand = () => 0;
export const falseCommand: ShellCommand = () => 1;

export const exit: ShellCommand = (ctx) => {
  const status = ctx.args[0] === undefined ? ctx.session.lastStatus : Number(ctx.args[0]) & 0xff;
  ctx.session.exitStatus = Number.isFinite(status) ? status : 2;
  return ctx.session.exitStatus;
};

export const cd: ShellCommand = async (ctx) => {
  const target = normalizeDevicePath(ctx.args[0] ?? '/', ctx.session.cwd);
  if (!ctx.os.fs.isDir(target)) {
    await ctx.err(`/system/bin/sh: cd: ${ctx.args[0]}: No such file or directory\n`);
    return 2;
  }
  ctx.session.cwd = target;
  return 0;
};

export const exportCommand: ShellCommand = (ctx) => {
  for (const arg of ctx.args) {
    const eq = arg.indexOf('=');
    if (eq > 0) ctx.session.env.set(arg.slice(0, eq), arg.slice(eq + 1));
  }
  return 0;
};

export const sleep: ShellCommand = async (ctx) => {
  const seconds = Number.parseFloat(ctx.args[0] ?? '');
  if (!Number.isFinite(seconds) || seconds < 0) {
    await ctx.err(`sleep: invalid number '${ctx.args[0] ?? ''}'\n`);
    return 1;
  }
  await sleepFor(seconds * 1000, ctx.signal);
  return 0;
};

/** toybox echo: -n (no newline), -e (backslash escapes). */
export const echo: ShellCommand = async (ctx) => {
  let newline = true;
  let escapes = false;
  const args = [...ctx.args];
  while (args[0] && /^-[neE]+$/.test(args[0])) {
    const flags = args.shift()!;
    if (flags.includes('n')) newline = false;
    if (flags.includes('e')) escapes = true;
    if (flags.includes('E')) escapes = false;
  }
  let text = args.join(' ');
  if (escapes) text = text.replace(/\\(n|t|r|\\|0[0-7]{0,3})/g, (_m, e: string) => ({ n: '\n', t: '\t', r: '\r', '\\': '\\' })[e] ?? String.fromCharCode(parseInt(e, 8)));
  await ctx.out(newline ? `${text}\n` : text);
  return 0;
};

export const id: ShellCommand = async (ctx) => {
  await ctx.out(
    'uid=2000(shell) gid=2000(shell) groups=2000(shell),1004(input),1007(log),1011(adb),1015(sdcard_rw),1028(sdcard_r),1078(ext_data_rw),1079(ext_obb_rw),3001(net_bt_admin),3002(net_bt),3003(inet),3006(net_bw_stats),3009(readproc),3011(uhid),3012(readtracefs) context=u:r:shell:s0\n',
  );
  return 0;
};

export const whoami: ShellCommand = async (ctx) => {
  await ctx.out('shell\n');
  return 0;
};

export const getenforce: ShellCommand = async (ctx) => {
  await ctx.out('Enforcing\n');
  return 0;
};

/** `exec CMD ARGS...` replaces the shell with the command (`adb logcat` sends `exec logcat ...`). */
export const execCommand: ShellCommand = async (ctx) => {
  if (ctx.args.length === 0) return 0;
  const status = await ctx.exec(ctx.args);
  ctx.session.exitStatus = status;
  return status;
};

/** sh -c 'line' runs the line in the same session; plain `sh` reads commands from stdin. */
export const sh: ShellCommand = async (ctx) => {
  const c = ctx.args.indexOf('-c');
  if (c !== -1) return ctx.run(ctx.args[c + 1] ?? '');
  const script = (await ctx.readStdin(1024 * 1024)).toString('utf8');
  return ctx.run(script);
};

import type { ProcessEntry } from '../../os/processes.js';
import type { CommandContext, ShellCommand } from '../command-context.js';

/** toybox ps columns: header, width, value. Negative width = left aligned. */
const COLUMNS: Record<string, [number, (p: ProcessEntry) => string]> = {
  USER: [-12, (p) => p.user],
  PID: [5, (p) => String(p.pid)],
  PPID: [5, (p) => String(p.ppid)],
  VSZ: [10, (p) => String(p.vsz)],
  VSIZE: [10, (p) => String(p.vsz)],
  RSS: [6, (p) => String(p.rss)],
  WCHAN: [-16, () => 'do_epoll_wait'],
  ADDR: [4, () => '0'],
  S: [1, (p) => p.state],
  NAME: [-27, (p) => p.name],
  CMD: [-27, (p) => p.name],
  CMDLINE: [-27, (p) => p.name],
  ARGS: [-27, (p) => p.name],
  COMM: [-15, (p) => p.name.split('/').pop() ?? p.name],
  UID: [5, (p) => String(p.uid)],
  TID: [5, (p) => String(p.pid)],
  TIME: [8, () => '00:00:01'],
  STIME: [5, () => '10:00'],
  PRI: [3, () => '19'],
  NI: [3, () => '0'],
  PCY: [3, () => 'fg'],
  LABEL: [-30, (p) => (p.uid >= 10000 ? 'u:r:untrusted_app:s0' : 'u:r:system_server:s0')],
};
const DEFAULT_COLUMNS = ['USER', 'PID', 'PPID', 'VSZ', 'RSS', 'WCHAN', 'ADDR', 'S', 'NAME'];

const HELP = `usage: ps [-AadefLlnwZ] [-gG GROUP,] [-k FIELD,] [-o FIELD,] [-p PID,] [-t TTY,] [-uU USER,]

List processes.

Which processes to show (-gGuUpPt selections may be comma separated lists):

-A  All
-a  Has terminal not session leader
-d  All but session leaders
-e  Synonym for -A
-g  In GROUPs
-G  In real GROUPs (before sgid)
-p  PIDs (--pid)
-P  Parent PIDs (--ppid)
-s  In session IDs
-t  Attached to selected TTYs
-T  Show threads also
-u  Owned by selected USERs
-U  Real USERs (before suid)

Output modifiers:

-k  Sort FIELDs (-FIELD to reverse)
-M  Measure/pad future field widths
-n  Show numeric USER and GROUP
-w  Wide output (don't truncate fields)

Which FIELDs to show. (-o HELP for list, default = -o PID,TTY,TIME,CMD)
`;

function render(columns: string[], procs: ProcessEntry[]): string {
  const cell = (name: string, text: string, last: boolean) => {
    const [width] = COLUMNS[name] ?? [-10];
    if (last && width < 0) return text;
    return width < 0 ? text.padEnd(-width) : text.padStart(width);
  };
  const header = columns.map((c, i) => cell(c, c, i === columns.length - 1)).join(' ');
  const rows = procs.map((p) => columns.map((c, i) => cell(c, (COLUMNS[c]?.[1] ?? (() => '?'))(p), i === columns.length - 1)).join(' '));
  return [header, ...rows].map((l) => `${l}\n`).join('');
}

/** `ps [-A] [-o FIELDS] [-p PIDS] [NAME...]` with toybox's layout (appium-adb parses the header). */
export const ps: ShellCommand = async (ctx) => {
  if (ctx.args.includes('--help') || ctx.args.includes('-h')) {
    await ctx.out(HELP);
    return 0;
  }
  let all = false;
  let columns = DEFAULT_COLUMNS;
  let pids: number[] | undefined;
  const names: string[] = [];
  for (let i = 0; i < ctx.args.length; i += 1) {
    const a = ctx.args[i]!;
    if (a === '-o') columns = (ctx.args[++i] ?? '').split(',').map((c) => c.toUpperCase().replace(/=.*$/, '')).filter(Boolean);
    else if (a === '-p' || a === '--pid') pids = (ctx.args[++i] ?? '').split(',').map(Number);
    else if (/^-[A-Za-z]+$/.test(a)) {
      if (/[Ae]/.test(a)) all = true;
    } else if (/^\d+$/.test(a)) (pids ??= []).push(Number(a));
    else names.push(a);
  }
  let procs = ctx.os.processes();
  if (pids) procs = procs.filter((p) => pids!.includes(p.pid));
  else if (names.length) procs = procs.filter((p) => names.includes(p.name));
  // Without -A toybox shows the caller's own session only: the shell and ps itself.
  else if (!all) procs = procs.filter((p) => p.uid === 2000 && !p.name.includes('adbd'));
  await ctx.out(render(columns, procs));
  return 0;
};

/** `pidof NAME...`: pids separated by spaces; status 1 when none. */
export const pidof: ShellCommand = async (ctx) => {
  const pids = ctx.args
    .filter((a) => !a.startsWith('-'))
    .flatMap((name) => ctx.os.processes().filter((p) => p.name === name || p.name.split('/').pop() === name))
    .map((p) => p.pid);
  if (pids.length === 0) return 1;
  await ctx.out(`${pids.reverse().join(' ')}\n`);
  return 0;
};

async function killOne(ctx: CommandContext, raw: string): Promise<number> {
  const pid = Number(raw);
  const proc = Number.isInteger(pid) ? ctx.os.processTable.get(pid) : undefined;
  if (!proc) {
    await ctx.err(`/system/bin/sh: kill: ${raw}: No such process\n`);
    return 1;
  }
  // The shell user may only signal its own processes and debuggable apps.
  if (proc.uid < 10000 && proc.uid !== 2000) {
    await ctx.err(`/system/bin/sh: kill: ${raw}: Operation not permitted\n`);
    return 1;
  }
  if (ctx.os.getPackage(proc.name)) ctx.os.forceStop(proc.name);
  else ctx.os.killProcess(pid);
  return 0;
}

/** `kill [-SIGNAL|-s SIGNAL] PID...` */
export const kill: ShellCommand = async (ctx) => {
  const targets: string[] = [];
  for (let i = 0; i < ctx.args.length; i += 1) {
    const a = ctx.args[i]!;
    if (a === '-s') i += 1;
    else if (a === '-l') {
      await ctx.out('HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM\n');
      return 0;
    } else if (!a.startsWith('-')) targets.push(a);
  }
  let status = 0;
  for (const t of targets) status = (await killOne(ctx, t)) || status;
  return status;
};

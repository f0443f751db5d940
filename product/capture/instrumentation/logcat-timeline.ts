import type { Marker } from '../../contracts/bundle-schema.js';

/**
 * Reads the device log (`logcat -v epoch` preferred, `-v threadtime` understood) and turns what
 * the START-SELF, UI-SHAKE-JUMP and crash rules need into timeline markers:
 *  - process starts of the app (`am_proc_start` event tags, or ActivityManager's
 *    "Start proc PID:NAME/UID for CAUSE {component}") → `process.start` with the cause;
 *  - the resumed activity moving from the app to another package (`wm_set_resumed_activity`,
 *    `am_set_resumed_activity`) or the app starting another package's activity
 *    ("START u0 {... cmp=other/...} from uid APP") → `package.switch`;
 *  - "FATAL EXCEPTION" blocks of AndroidRuntime and `am_crash` → `app.crash`.
 */

export interface LogcatLine {
  /** Device time, epoch ms. */
  t: number;
  pid: number;
  tid: number;
  priority: string;
  tag: string;
  message: string;
}

export interface TimelineSink {
  addMarker(marker: Omit<Marker, 'id'>): unknown;
  appendLogcat?(text: string): void;
}

const EPOCH_RE = /^\s*(\d{9,11})\.(\d{3,9})\s+(\d+)\s+(\d+)\s+([VDIWEFS])\s+(.*?)\s*: ?(.*)$/;
const THREADTIME_RE = /^(\d\d)-(\d\d)\s+(\d\d):(\d\d):(\d\d)\.(\d{3})\s+(\d+)\s+(\d+)\s+([VDIWEFS])\s+(.*?)\s*: ?(.*)$/;

/**
 * One logcat line. threadtime carries no year and no zone: the caller says which (the device's
 * `date +%Y` and UTC offset); epoch format needs neither, which is why we ask for it.
 */
export function parseLogcatLine(line: string, clock: { year: number; utcOffsetMinutes: number } = defaultClock()): LogcatLine | undefined {
  const e = EPOCH_RE.exec(line);
  if (e) {
    const ms = Number(e[1]) * 1000 + Number(e[2]!.slice(0, 3).padEnd(3, '0'));
    return { t: ms, pid: Number(e[3]), tid: Number(e[4]), priority: e[5]!, tag: e[6]!.trim(), message: e[7]! };
  }
  const m = THREADTIME_RE.exec(line);
  if (!m) return undefined;
  const utc = Date.UTC(clock.year, Number(m[1]) - 1, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return { t: utc - clock.utcOffsetMinutes * 60_000, pid: Number(m[7]), tid: Number(m[8]), priority: m[9]!, tag: m[10]!.trim(), message: m[11]! };
}

function defaultClock() {
  return { year: new Date().getUTCFullYear(), utcOffsetMinutes: 0 };
}

/** "[a,b,{c,d}]" → ["a","b","{c,d}"]: event-log lists, braces kept whole. */
export function splitEventList(message: string): string[] {
  const body = message.trim().replace(/^\[/, '').replace(/\]$/, '');
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of body) {
    if (ch === '{') depth += 1;
    if (ch === '}') depth -= 1;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

const START_PROC_RE = /^Start proc (\d+):([^/\s]+)\/(\S+) for (.+?)(?: \{([^}]*)\}| ([\w.$/]+))?$/;
const START_PROC_OLD_RE = /^Start proc ([^\s]+) for (.+?) ([\w.$/]+): pid=(\d+) uid=(\d+)/;
const START_ACTIVITY_RE = /^START u\d+ \{.*?cmp=([\w.]+)\/(\S+?)[\s}].*\bfrom uid (\d+)/;

const packageOf = (component: string) => component.split('/')[0]?.replace(/^\{/, '') ?? '';

export interface LogcatTimelineOptions {
  packageName: string;
  sink: TimelineSink;
  /** host time − device time, ms (run.json device.clockOffsetMs). */
  clockOffsetMs?: number;
  clock?: { year: number; utcOffsetMinutes: number };
}

export class LogcatTimeline {
  private buffer = '';
  private readonly startedPids = new Set<number>();
  private readonly crashedPids = new Set<number>();
  private appUid: number | undefined;
  private resumedPackage: string | undefined;
  private crash: { t: number; pid: number; process?: string; exception?: string; thread: string } | undefined;

  constructor(private readonly options: LogcatTimelineOptions) {}

  /** Feeds a chunk of logcat output (any split); complete lines are parsed. */
  push(chunk: string): void {
    this.options.sink.appendLogcat?.(chunk);
    this.buffer += chunk;
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).replace(/\r$/, '');
      this.buffer = this.buffer.slice(nl + 1);
      this.line(line);
      nl = this.buffer.indexOf('\n');
    }
  }

  end(): void {
    if (this.buffer) this.line(this.buffer);
    this.buffer = '';
    this.flushCrash();
  }

  private isApp(processName: string): boolean {
    const pkg = this.options.packageName;
    return processName === pkg || processName.startsWith(`${pkg}:`);
  }

  private mark(kind: Marker['kind'], tDevice: number, label: string, data: NonNullable<Marker['data']>): void {
    this.options.sink.addMarker({ t: Math.max(0, tDevice + (this.options.clockOffsetMs ?? 0)), kind, label, data: { ...data, source: 'logcat' } });
  }

  private line(text: string): void {
    const line = parseLogcatLine(text, this.options.clock);
    if (!line) return;
    if (this.crash && !(line.tag === 'AndroidRuntime' && line.pid === this.crash.pid)) this.flushCrash();
    switch (line.tag) {
      case 'am_proc_start': {
        const [, pid, uid, name, cause, component] = splitEventList(line.message);
        if (pid && uid && name) this.processStart(line.t, Number(pid), Number(uid), name, cause ?? 'unknown', component ?? '');
        break;
      }
      case 'ActivityManager':
      case 'ActivityTaskManager': {
        const m = START_PROC_RE.exec(line.message);
        if (m) {
          this.processStart(line.t, Number(m[1]), uidFromUser(m[3]!), m[2]!, m[4]!.trim(), m[5] ?? m[6] ?? '');
          break;
        }
        const old = START_PROC_OLD_RE.exec(line.message);
        if (old) {
          this.processStart(line.t, Number(old[4]), Number(old[5]), old[1]!, old[2]!.trim(), old[3]!);
          break;
        }
        const start = START_ACTIVITY_RE.exec(line.message);
        if (start && this.appUid !== undefined && Number(start[3]) === this.appUid && start[1] !== this.options.packageName) {
          this.mark('package.switch', line.t, `the app started ${start[1]}`, {
            from: this.options.packageName,
            to: start[1]!,
            activity: `${start[1]}/${start[2]}`,
            cause: 'started-by-app',
          });
        }
        break;
      }
      case 'wm_set_resumed_activity':
      case 'am_set_resumed_activity': {
        const [, component, reason] = splitEventList(line.message);
        if (component) this.resumed(line.t, component, reason ?? '');
        break;
      }
      case 'AndroidRuntime':
        this.androidRuntime(line);
        break;
      case 'am_crash': {
        const [pid, , name, , exceptionClass, message] = splitEventList(line.message);
        if (pid && name) this.crashed(line.t, Number(pid), name, [exceptionClass, message].filter(Boolean).join(': '));
        break;
      }
      default:
        break;
    }
  }

  private processStart(t: number, pid: number, uid: number, name: string, cause: string, component: string): void {
    if (!this.isApp(name)) return;
    if (name === this.options.packageName && Number.isFinite(uid)) this.appUid = uid;
    if (this.startedPids.has(pid)) return;
    this.startedPids.add(pid);
    this.mark('process.start', t, `process ${name} started for ${cause}`, {
      pid,
      process: name,
      cause,
      component: component.replace(/^\{|\}$/g, ''),
      ...(Number.isFinite(uid) ? { uid } : {}),
    });
  }

  private resumed(t: number, component: string, reason: string): void {
    const pkg = packageOf(component);
    const previous = this.resumedPackage;
    this.resumedPackage = pkg;
    if (previous === this.options.packageName && pkg !== previous) {
      this.mark('package.switch', t, `foreground moved from the app to ${pkg}`, { from: previous, to: pkg, activity: component, cause: reason || 'resumed' });
    }
  }

  private androidRuntime(line: LogcatLine): void {
    if (line.message.startsWith('FATAL EXCEPTION:')) {
      this.flushCrash();
      this.crash = { t: line.t, pid: line.pid, thread: line.message.slice('FATAL EXCEPTION:'.length).trim() };
      return;
    }
    if (!this.crash) return;
    const proc = /^Process: ([^,]+), PID: (\d+)/.exec(line.message);
    if (proc) this.crash.process = proc[1];
    else if (this.crash.exception === undefined && line.message.trim()) this.crash.exception = line.message.trim();
  }

  private flushCrash(): void {
    const c = this.crash;
    this.crash = undefined;
    if (c?.process) this.crashed(c.t, c.pid, c.process, c.exception ?? '', c.thread);
  }

  private crashed(t: number, pid: number, name: string, exception: string, thread?: string): void {
    if (!this.isApp(name) || this.crashedPids.has(pid)) return;
    this.crashedPids.add(pid);
    this.mark('app.crash', t, `${name} crashed${exception ? `: ${exception}` : ''}`.slice(0, 2000), {
      pid,
      process: name,
      exception: exception.slice(0, 1000),
      ...(thread ? { thread } : {}),
    });
  }
}

/** "u0a123" → 10123; "10123" → 10123. */
function uidFromUser(user: string): number {
  const m = /^u(\d+)a(\d+)$/.exec(user);
  if (m) return Number(m[1]) * 100_000 + 10_000 + Number(m[2]);
  return Number(user);
}

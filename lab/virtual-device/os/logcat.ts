import type { LogEntry, LogPriority } from '../contracts.js';

/**
 * The logd ring buffers (main, system, events, crash) with live readers, and the output
 * formats of `logcat -v` (system/logging/liblog/logprint.cpp) plus the binary `-B` format
 * (struct logger_entry v4) that adbkit's openLogcat reads.
 */

export type LogBufferName = LogEntry['buffer'];
export const LOG_BUFFERS: readonly LogBufferName[] = ['main', 'system', 'events', 'crash'];

/** A stored entry carries a sequence number so `-T` and streaming can resume after it. */
export interface StoredLogEntry extends LogEntry {
  seq: number;
}

export class LogStore {
  private entries: StoredLogEntry[] = [];
  private seq = 0;
  private readonly subscribers = new Set<(entry: StoredLogEntry) => void>();

  constructor(private readonly capacity = 20_000) {}

  append(entry: LogEntry): StoredLogEntry {
    const stored: StoredLogEntry = { ...entry, seq: ++this.seq };
    this.entries.push(stored);
    if (this.entries.length > this.capacity) this.entries = this.entries.slice(-Math.floor(this.capacity * 0.9));
    for (const subscriber of this.subscribers) subscriber(stored);
    return stored;
  }

  snapshot(buffers?: readonly LogBufferName[]): StoredLogEntry[] {
    return buffers ? this.entries.filter((e) => buffers.includes(e.buffer)) : [...this.entries];
  }

  clear(buffers?: readonly LogBufferName[]): void {
    this.entries = buffers ? this.entries.filter((e) => !buffers.includes(e.buffer)) : [];
  }

  subscribe(listener: (entry: StoredLogEntry) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }
}

const PRIORITY_ORDER: LogPriority[] = ['V', 'D', 'I', 'W', 'E', 'F'];
/** android_LogPriority values used in the binary format. */
const PRIORITY_CODE: Record<LogPriority, number> = { V: 2, D: 3, I: 4, W: 5, E: 6, F: 7 };

export function priorityRank(p: LogPriority | 'S'): number {
  return p === 'S' ? 99 : PRIORITY_ORDER.indexOf(p);
}

/** `TAG:P` filter specs; the last "*" spec is the default (logcat's default is *:V). */
export class LogFilter {
  private readonly byTag = new Map<string, number>();
  private fallback = 0;

  constructor(specs: string[]) {
    for (const spec of specs) {
      const [tag, level = 'V'] = spec.split(':') as [string, string | undefined];
      const rank = priorityRank((level.toUpperCase()[0] ?? 'V') as LogPriority | 'S');
      if (tag === '*') this.fallback = rank < 0 ? 0 : rank;
      else this.byTag.set(tag, rank < 0 ? 0 : rank);
    }
  }

  accepts(entry: LogEntry): boolean {
    const min = this.byTag.get(entry.tag) ?? this.fallback;
    return priorityRank(entry.priority) >= min;
  }
}

export type LogFormat = 'threadtime' | 'brief' | 'time' | 'tag' | 'process' | 'raw' | 'long' | 'thread';
export const LOG_FORMATS: readonly LogFormat[] = ['threadtime', 'brief', 'time', 'tag', 'process', 'raw', 'long', 'thread'];

export interface TimeParts {
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  year: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts in the device's time zone (persist.sys.timezone). */
export function timeParts(ms: number, timeZone: string): TimeParts {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: parts.year ?? '1970',
    month: parts.month ?? '01',
    day: parts.day ?? '01',
    hour: parts.hour ?? '00',
    minute: parts.minute ?? '00',
    second: parts.second ?? '00',
  };
}

function stamp(ms: number, timeZone: string, epoch = false): string {
  // `-v epoch` prints seconds.millis since the epoch, right-aligned like logcat's "%5lu".
  if (epoch) return `${String(Math.floor(ms / 1000)).padStart(5, ' ')}.${String(Math.floor(ms % 1000)).padStart(3, '0')}`;
  const t = timeParts(ms, timeZone);
  return `${t.month}-${t.day} ${t.hour}:${t.minute}:${t.second}.${String(Math.floor(ms % 1000)).padStart(3, '0')}`;
}

const pad5 = (n: number) => String(n).padStart(5, ' ');
const tag8 = (tag: string) => tag.padEnd(8, ' ');

/** One entry as text, with a trailing newline; multi-line messages repeat the prefix per line. */
export function formatLogEntry(entry: LogEntry, format: LogFormat, timeZone: string, epoch = false): string {
  if (format === 'long') {
    return `[ ${stamp(entry.time, timeZone, epoch)} ${pad5(entry.pid)}:${pad5(entry.tid)} ${entry.priority}/${entry.tag} ]\n${entry.message}\n\n`;
  }
  const prefix = (() => {
    switch (format) {
      case 'threadtime':
        return `${stamp(entry.time, timeZone, epoch)} ${pad5(entry.pid)} ${pad5(entry.tid)} ${entry.priority} ${tag8(entry.tag)}: `;
      case 'brief':
        return `${entry.priority}/${tag8(entry.tag)}(${pad5(entry.pid)}): `;
      case 'time':
        return `${stamp(entry.time, timeZone, epoch)} ${entry.priority}/${tag8(entry.tag)}(${pad5(entry.pid)}): `;
      case 'tag':
        return `${entry.priority}/${tag8(entry.tag)}: `;
      case 'process':
        return `${entry.priority}(${pad5(entry.pid)}) `;
      case 'thread':
        return `${entry.priority}(${pad5(entry.pid)}:${pad5(entry.tid)}) `;
      default:
        return '';
    }
  })();
  const suffix = format === 'process' ? `  (${entry.tag})` : '';
  return entry.message
    .split('\n')
    .map((line) => `${prefix}${line}${suffix}\n`)
    .join('');
}

/** struct logger_entry (v4: 28-byte header) + priority, tag\0, message\0. */
export function encodeBinaryLogEntry(entry: LogEntry & { uid?: number }): Buffer {
  const tag = Buffer.from(`${entry.tag}\0`, 'utf8');
  const msg = Buffer.from(`${entry.message}\0`, 'utf8');
  const payload = Buffer.concat([Buffer.from([PRIORITY_CODE[entry.priority]]), tag, msg]);
  const header = Buffer.alloc(28);
  header.writeUInt16LE(Math.min(payload.length, 0xffff), 0);
  header.writeUInt16LE(28, 2);
  header.writeInt32LE(entry.pid, 4);
  header.writeUInt32LE(entry.tid, 8);
  header.writeUInt32LE(Math.floor(entry.time / 1000), 12);
  header.writeUInt32LE((entry.time % 1000) * 1_000_000, 16);
  header.writeUInt32LE(LOG_BUFFERS.indexOf(entry.buffer) === 2 ? 2 : LOG_BUFFERS.indexOf(entry.buffer) === 1 ? 3 : 0, 20);
  header.writeUInt32LE(entry.uid ?? 0, 24);
  return Buffer.concat([header, payload.subarray(0, 0xffff)]);
}

import type { AdbDevice } from './adb-device.js';
import type { RootMethod } from './profile-schema.js';

/** What the pool knows about a handset, read over adb shell at discovery and before each lease. */
export interface DeviceFacts {
  model: string;
  manufacturer: string;
  product: string;
  device: string;
  apiLevel: number;
  release: string;
  abi: string;
  abis: string[];
  fingerprint: string;
  /** ro.kernel.qemu / ro.boot.qemu = 1: an Android Studio emulator image. */
  emulator: boolean;
  bootCompleted: boolean;
  /** How root is reached, if at all: adbd already runs as root, or `su` works. */
  root: RootMethod;
  /** Free bytes on /data, when df could be read. */
  freeDataBytes?: number;
  battery?: BatteryFacts;
  /** Android thermal status 0..6 (dumpsys thermalservice), when the service exists. */
  thermalStatus?: number;
  /** host time - device time in ms (the bundle's convention), measured around `date`. */
  clockOffsetMs?: number;
  /** Round trip of the clock probe: the offset is accurate to about half of it. */
  clockRoundTripMs?: number;
}

export interface BatteryFacts {
  level: number;
  scale: number;
  percent: number;
  temperatureC?: number;
  powered: boolean;
}

/**
 * `getprop` prints "[name]: [value]" lines; values may be empty (`[]`), may hold brackets and
 * spaces, and may span lines: real dumps carry `persist.sys.boot.reason.history` over three or
 * four lines whose continuations do not start with "[". A value ends at the last "]" of the line
 * that closes it. Lines may end in CR (a PTY or a Windows host).
 */
export function parseGetprop(text: string): Map<string, string> {
  const props = new Map<string, string>();
  let open: { key: string; lines: string[] } | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (open) {
      if (/^\[[^\]]+\]:\s*\[/.test(line)) {
        open = undefined; // an unterminated value: drop it rather than guess where it ended
      } else {
        if (line.trimEnd().endsWith(']')) {
          open.lines.push(line.trimEnd().slice(0, -1));
          props.set(open.key, open.lines.join('\n'));
          open = undefined;
        } else open.lines.push(line);
        continue;
      }
    }
    const m = /^\[([^\]]+)\]:\s*\[(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2]!.trimEnd();
    if (rest.endsWith(']')) props.set(m[1]!, rest.slice(0, -1));
    else open = { key: m[1]!, lines: [m[2]!] };
  }
  return props;
}

/** `id` output: uid=0(root) ... */
export function parseUid(text: string): number | undefined {
  const m = /uid=(\d+)/.exec(text);
  return m ? Number(m[1]) : undefined;
}

const SUFFIX: Record<string, number> = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

function sizeToBytes(value: string, unit: number): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const suffix = m[2]?.toUpperCase();
  return Math.round(suffix ? n * (SUFFIX[suffix] ?? 1) : n * unit);
}

/**
 * `df -k /data` (toybox: "Filesystem 1K-blocks Used Available Use% Mounted on") or the old
 * toolbox form ("Filesystem Size Used Free Blksize" with 5.9G-style sizes).
 */
export function parseDfAvailable(text: string): number | undefined {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = lines.findIndex((l) => /Filesystem/i.test(l));
  if (header < 0 || header + 1 >= lines.length) return undefined;
  const cols = lines[header]!.trim().split(/\s+/);
  // Long device names wrap onto their own line in some df builds: join the next line if short.
  let row = lines[header + 1]!.trim().split(/\s+/);
  if (row.length === 1 && lines[header + 2]) row = [...row, ...lines[header + 2]!.trim().split(/\s+/)];
  const availIdx = cols.findIndex((c) => /^(Available|Avail|Free)$/i.test(c));
  if (availIdx < 0) return undefined;
  const unit = cols.some((c) => /^1K-blocks$/i.test(c)) ? 1024 : 1;
  const value = row[availIdx];
  return value === undefined ? undefined : sizeToBytes(value, unit);
}

/** `dumpsys battery`: level, scale, temperature (tenths of °C), powered flags. */
export function parseBattery(text: string): BatteryFacts | undefined {
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.+)$`, 'mi').exec(text)?.[1]?.trim();
  const level = Number(field('level'));
  if (!Number.isFinite(level) || field('level') === undefined) return undefined;
  const scaleRaw = Number(field('scale'));
  const scale = Number.isFinite(scaleRaw) && scaleRaw > 0 ? scaleRaw : 100;
  const temp = Number(field('temperature'));
  const powered = ['AC powered', 'USB powered', 'Wireless powered'].some((p) => field(p) === 'true');
  const battery: BatteryFacts = { level, scale, percent: Math.round((level / scale) * 100), powered };
  if (Number.isFinite(temp) && field('temperature') !== undefined) battery.temperatureC = temp / 10;
  return battery;
}

/** `dumpsys thermalservice`: "Thermal Status: N"; absent on older releases. */
export function parseThermalStatus(text: string): number | undefined {
  const m = /Thermal Status:\s*(\d+)/i.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** `date +%s%N` (seconds then nanoseconds) where toybox supports %N; else `date +%s`. */
export function parseDeviceTimeMs(text: string): number | undefined {
  const t = text.trim();
  if (/^\d{19}$/.test(t)) return Number(t.slice(0, 13));
  if (/^\d{13}$/.test(t)) return Number(t);
  if (/^\d{10}$/.test(t)) return Number(t) * 1000;
  return undefined;
}

export function factsFromProps(props: Map<string, string>): Omit<DeviceFacts, 'root'> {
  const get = (...names: string[]) => names.map((n) => props.get(n)).find((v) => v !== undefined && v !== '') ?? '';
  const abis = get('ro.product.cpu.abilist', 'ro.system.product.cpu.abilist')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const abi = get('ro.product.cpu.abi') || abis[0] || '';
  return {
    model: get('ro.product.model', 'ro.product.system.model'),
    manufacturer: get('ro.product.manufacturer', 'ro.product.system.manufacturer'),
    product: get('ro.product.name', 'ro.product.system.name'),
    device: get('ro.product.device', 'ro.product.system.device'),
    apiLevel: Number(get('ro.build.version.sdk')) || 0,
    release: get('ro.build.version.release'),
    abi,
    abis: abis.length ? abis : abi ? [abi] : [],
    fingerprint: get('ro.build.fingerprint', 'ro.system.build.fingerprint'),
    emulator: get('ro.kernel.qemu', 'ro.boot.qemu') === '1',
    bootCompleted: get('sys.boot_completed') === '1',
  };
}

export interface ReadFactsOptions {
  timeoutMs?: number;
  /** Skip the `su` probe (it can raise a Magisk prompt on a phone). */
  probeSu?: boolean;
}

/** Clock offset from one `date` probe, taking the midpoint of the host times around it. */
export async function measureClock(device: AdbDevice, timeoutMs = 10_000): Promise<{ offsetMs: number; roundTripMs: number } | undefined> {
  const before = Date.now();
  const out = await device.shell('date +%s%N', { timeoutMs });
  const after = Date.now();
  let deviceMs = parseDeviceTimeMs(out);
  if (deviceMs === undefined) deviceMs = parseDeviceTimeMs(await device.shell('date +%s', { timeoutMs }));
  if (deviceMs === undefined) return undefined;
  return { offsetMs: Math.round((before + after) / 2 - deviceMs), roundTripMs: after - before };
}

/**
 * Reads facts with a handful of shell calls. Optional facts (storage, battery, thermal, clock)
 * are left out when the device does not report them; only getprop is required.
 */
export async function readFacts(device: AdbDevice, options: ReadFactsOptions = {}): Promise<DeviceFacts> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const props = parseGetprop(await device.shell('getprop', { timeoutMs }));
  const base = factsFromProps(props);
  let root: RootMethod = 'none';
  if (parseUid(await device.shell('id', { timeoutMs })) === 0) root = 'adbd';
  else if (options.probeSu !== false) {
    const su = await device.shell('su -c id', { timeoutMs: Math.min(timeoutMs, 5000) }).catch(() => '');
    if (parseUid(su) === 0) root = 'su';
  }
  const facts: DeviceFacts = { ...base, root };
  const optional = async (cmd: string) => device.shell(cmd, { timeoutMs }).catch(() => '');
  const free = parseDfAvailable(await optional('df -k /data'));
  if (free !== undefined) facts.freeDataBytes = free;
  const battery = parseBattery(await optional('dumpsys battery'));
  if (battery) facts.battery = battery;
  const thermal = parseThermalStatus(await optional('dumpsys thermalservice'));
  if (thermal !== undefined) facts.thermalStatus = thermal;
  const clock = await measureClock(device, timeoutMs).catch(() => undefined);
  if (clock) {
    facts.clockOffsetMs = clock.offsetMs;
    facts.clockRoundTripMs = clock.roundTripMs;
  }
  return facts;
}

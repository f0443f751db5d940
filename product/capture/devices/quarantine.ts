import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseValidated } from '../../core/validated-file.js';

/**
 * Devices that failed N health checks or N runs in a row, and the failures in a row counted so
 * far. Kept in a small JSON file in the state folder (stateDir, beside the lease claims, not
 * under the captures root: a full capture disk must not break leasing) so that it survives
 * restarts and other processes on the host (the CLI, other workers) see it: three failed
 * `consentry run`s in a row, each its own process, quarantine the device as surely as three
 * failures inside one batch. Released only by a person (`consentry devices --unquarantine SERIAL`).
 */
export const QuarantineEntry = z
  .object({
    serial: z.string().min(1),
    since: z.number().int(),
    /** `health` or `runs`: which counter reached the limit. */
    kind: z.enum(['health', 'runs', 'manual']),
    reason: z.string(),
    /** The last failures, newest last, for the person who looks at the phone. */
    failures: z.array(z.string()).max(20).default([]),
  })
  .strict();
export type QuarantineEntry = z.infer<typeof QuarantineEntry>;

/** Failures in a row not yet at the limit, newest last, per counter. */
const Streaks = z.object({ health: z.array(z.string()).max(50).default([]), runs: z.array(z.string()).max(50).default([]) }).strict();
export type FailureKind = 'health' | 'runs';

const QuarantineFile = z
  .object({
    version: z.literal(1),
    devices: z.record(z.string(), QuarantineEntry),
    streaks: z.record(z.string(), Streaks).default({}),
  })
  .strict();
type QuarantineDoc = z.infer<typeof QuarantineFile>;

/** The device state folder inside stateDir (quarantine, lease claims, undo journals). */
export function deviceStateDirIn(stateDir: string): string {
  return join(stateDir, 'devices');
}

export function quarantineFileIn(stateDir: string): string {
  return join(deviceStateDirIn(stateDir), 'quarantine.json');
}

/** Where quarantine lived before it moved to stateDir; read once to carry entries over. */
export function legacyQuarantineFileIn(capturesRoot: string): string {
  return join(capturesRoot, '.devices', 'quarantine.json');
}

export class QuarantineStore {
  constructor(readonly file: string) {}

  /** Re-read on every call: another process may have released a device. */
  list(): QuarantineEntry[] {
    return Object.values(this.read().devices).sort((a, b) => a.since - b.since);
  }

  get(serial: string): QuarantineEntry | undefined {
    return this.read().devices[serial];
  }

  add(entry: QuarantineEntry): void {
    const doc = this.read();
    doc.devices[entry.serial] = QuarantineEntry.parse(entry);
    this.write(doc);
  }

  /** Returns the released entry, or undefined when the serial was not quarantined. */
  release(serial: string): QuarantineEntry | undefined {
    const doc = this.read();
    const entry = doc.devices[serial];
    if (!entry) return undefined;
    delete doc.devices[serial];
    delete doc.streaks[serial];
    this.write(doc);
    return entry;
  }

  /** The failures in a row counted so far for this device (any process), newest last. */
  failures(serial: string, kind: FailureKind): string[] {
    return this.read().streaks[serial]?.[kind] ?? [];
  }

  /** Adds one failure to the device's streak and returns the streak. */
  recordFailure(serial: string, kind: FailureKind, failure: string): string[] {
    const doc = this.read();
    const streak = doc.streaks[serial] ?? { health: [], runs: [] };
    streak[kind] = [...streak[kind], failure].slice(-50);
    doc.streaks[serial] = streak;
    this.write(doc);
    return streak[kind];
  }

  /** A success ends the streak. Writes only when there was one, so a healthy farm never rewrites the file. */
  resetFailures(serial: string, kind: FailureKind): void {
    const doc = this.read();
    const streak = doc.streaks[serial];
    if (!streak || streak[kind].length === 0) return;
    streak[kind] = [];
    if (streak.health.length === 0 && streak.runs.length === 0) delete doc.streaks[serial];
    this.write(doc);
  }

  /** Quarantines the device and clears its streaks in one write. */
  quarantine(entry: QuarantineEntry): void {
    const doc = this.read();
    doc.devices[entry.serial] = QuarantineEntry.parse(entry);
    delete doc.streaks[entry.serial];
    this.write(doc);
  }

  private read(): QuarantineDoc {
    if (!existsSync(this.file)) return { version: 1, devices: {}, streaks: {} };
    return parseValidated(readFileSync(this.file, 'utf8'), this.file, QuarantineFile, 'quarantine file');
  }

  /** Write-then-rename, so a reader never sees half a file. */
  private write(doc: QuarantineDoc): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}

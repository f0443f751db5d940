import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import { safeFileSegment, shellQuote } from '../../core/untrusted.js';
import type { AdbDevice } from './adb-device.js';

/**
 * Everything done to a device during a lease, in order, with how to undo it. Undo steps are
 * plain data (definitions) so the journal can go into the evidence bundle as it is, and a
 * teardown that cannot undo a step records why instead of failing silently.
 */
export const UndoStep = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shell'), command: z.string(), asRoot: z.boolean().default(false) }).strict(),
  z.object({ kind: z.literal('remove-reverse'), remote: z.string() }).strict(),
]);
export type UndoStep = z.infer<typeof UndoStep>;

export const JournalEntry = z
  .object({
    at: z.number(),
    action: z.string(),
    detail: z.string(),
    /**
     * done: applied. failed: could not be applied. manual: needs a person (e.g. confirm the CA
     * on the phone). undone / undo-failed: the teardown's result. kept: nothing to undo.
     */
    status: z.enum(['done', 'failed', 'manual', 'kept', 'undone', 'undo-failed']),
    undo: z.array(UndoStep).default([]),
    error: z.string().optional(),
  })
  .strict();
export type JournalEntry = z.infer<typeof JournalEntry>;

const JournalFile = z.object({ serial: z.string(), entries: z.array(JournalEntry) }).strict();

/** Where the undo journal of a device lives in the state folder (one file per device). */
export function journalFileIn(journalsDir: string, serial: string): string {
  return join(journalsDir, `${safeFileSegment(serial)}.json`);
}

/**
 * Journal files for the devices leased in this process, by serial. The pool registers a file
 * when it grants a lease, so the journal that the lease's preparer starts is on disk from its
 * first entry without the preparer knowing where the state folder is.
 */
const persistentFiles = new Map<string, string>();

export function persistJournalsOf(serial: string, file: string | undefined): void {
  if (file) persistentFiles.set(serial, file);
  else persistentFiles.delete(serial);
}

/**
 * A device's journal. When the device was leased from a pool with a state folder, the journal
 * is also a file there, rewritten (temp file + rename) at every entry and every status change,
 * so a process that dies mid-run leaves the undo steps behind for the next lease of the device
 * (or `consentry devices --reset SERIAL`) to replay. The file is removed once nothing is left
 * to undo.
 */
export class DeviceJournal {
  private readonly list: JournalEntry[] = [];
  readonly file: string | undefined;

  constructor(
    readonly serial: string,
    file: string | undefined = persistentFiles.get(serial),
  ) {
    this.file = file;
    // Steps a dead process left behind are kept, so a replay that fails keeps them on disk.
    if (file) for (const entry of readJournalFile(file)?.entries ?? []) if (isPending(entry)) this.list.push(this.watched(entry));
  }

  record(action: string, detail: string, undo: UndoStep[] = [], status: JournalEntry['status'] = undo.length ? 'done' : 'kept'): JournalEntry {
    return this.add({ at: Date.now(), action, detail, status, undo });
  }

  failed(action: string, detail: string, error: string): JournalEntry {
    return this.add({ at: Date.now(), action, detail, status: 'failed', undo: [], error });
  }

  /** Entries still to undo, newest first. */
  pendingUndo(): JournalEntry[] {
    return this.list.filter(isPending).reverse();
  }

  entries(): readonly JournalEntry[] {
    return this.list;
  }

  toJSON(): { serial: string; entries: JournalEntry[] } {
    return { serial: this.serial, entries: this.list.map((e) => ({ ...e, undo: [...e.undo] })) };
  }

  private add(entry: JournalEntry): JournalEntry {
    const watched = this.watched(entry);
    this.list.push(watched);
    this.save();
    return watched;
  }

  /**
   * The entry with `status` and `error` that save the file when set: the preparer's teardown
   * marks entries undone by assignment, and the file must follow.
   */
  private watched(entry: JournalEntry): JournalEntry {
    if (!this.file) return entry;
    let status = entry.status;
    let error = entry.error;
    const out = { ...entry } as JournalEntry;
    Object.defineProperty(out, 'status', {
      enumerable: true,
      get: () => status,
      set: (v: JournalEntry['status']) => {
        status = v;
        this.save();
      },
    });
    Object.defineProperty(out, 'error', {
      enumerable: true,
      get: () => error,
      set: (v: string | undefined) => {
        error = v;
        this.save();
      },
    });
    return out;
  }

  private save(): void {
    if (!this.file) return;
    if (!this.list.some(isPending) && !this.list.some((e) => e.status === 'undo-failed')) {
      rmSync(this.file, { force: true });
      return;
    }
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.toJSON(), null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}

function isPending(entry: JournalEntry): boolean {
  return (entry.status === 'done' || entry.status === 'undo-failed') && entry.undo.length > 0;
}

/** A journal file as written, or undefined when there is none (or it cannot be read). */
export function readJournalFile(file: string): z.infer<typeof JournalFile> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JournalFile.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** How many undo steps a device's journal file still holds (0: clean). */
export function pendingUndoSteps(file: string): number {
  return (readJournalFile(file)?.entries ?? []).filter(isPending).reduce((n, e) => n + e.undo.length, 0);
}

export interface ReplayReport {
  undone: number;
  failed: { action: string; error: string }[];
}

/**
 * Replays what a journal file still holds, newest first, on the device: what a process that
 * died mid-run (or a teardown that failed) left undone. Each entry's new status is saved as it
 * goes; the file disappears once everything is undone.
 */
export async function replayJournal(device: AdbDevice, serial: string, file: string, root: 'su' | 'adbd' | 'none'): Promise<ReplayReport> {
  const journal = new DeviceJournal(serial, file);
  const report: ReplayReport = { undone: 0, failed: [] };
  for (const entry of journal.pendingUndo()) {
    try {
      for (const step of entry.undo) {
        if (step.kind === 'remove-reverse') await device.removeReverse(step.remote);
        else if (step.asRoot && root === 'su') await device.shell(`su -c ${shellQuote(step.command)}`);
        else await device.shell(step.command);
      }
      entry.status = 'undone';
      report.undone += 1;
    } catch (e) {
      entry.error = errorMessage(e);
      entry.status = 'undo-failed';
      report.failed.push({ action: entry.action, error: entry.error });
    }
  }
  return report;
}

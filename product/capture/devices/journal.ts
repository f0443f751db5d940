import { z } from 'zod';

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

export class DeviceJournal {
  private readonly list: JournalEntry[] = [];

  constructor(readonly serial: string) {}

  record(action: string, detail: string, undo: UndoStep[] = [], status: JournalEntry['status'] = undo.length ? 'done' : 'kept'): JournalEntry {
    const entry: JournalEntry = { at: Date.now(), action, detail, status, undo };
    this.list.push(entry);
    return entry;
  }

  failed(action: string, detail: string, error: string): JournalEntry {
    const entry: JournalEntry = { at: Date.now(), action, detail, status: 'failed', undo: [], error };
    this.list.push(entry);
    return entry;
  }

  /** Entries still to undo, newest first. */
  pendingUndo(): JournalEntry[] {
    return this.list.filter((e) => e.status === 'done' && e.undo.length > 0).reverse();
  }

  entries(): readonly JournalEntry[] {
    return this.list;
  }

  toJSON(): { serial: string; entries: JournalEntry[] } {
    return { serial: this.serial, entries: this.list.map((e) => ({ ...e, undo: [...e.undo] })) };
  }
}

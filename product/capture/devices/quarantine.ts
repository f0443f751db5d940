import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { parseValidated } from '../../core/validated-file.js';

/**
 * Devices that failed N health checks or N runs in a row. Kept in a small JSON file under the
 * captures root so that it survives restarts and other processes on the host (the CLI, other
 * workers) see it; released only by a person (`consentry devices --unquarantine SERIAL`).
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

const QuarantineFile = z
  .object({
    version: z.literal(1),
    devices: z.record(z.string(), QuarantineEntry),
  })
  .strict();

export function quarantineFileIn(capturesRoot: string): string {
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
    this.write(doc);
    return entry;
  }

  private read(): z.infer<typeof QuarantineFile> {
    if (!existsSync(this.file)) return { version: 1, devices: {} };
    return parseValidated(readFileSync(this.file, 'utf8'), this.file, QuarantineFile, 'quarantine file');
  }

  /** Write-then-rename, so a reader never sees half a file. */
  private write(doc: z.infer<typeof QuarantineFile>): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}

import { hostname } from 'node:os';
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { safeFileSegment } from '../../core/untrusted.js';
import { processAlive } from '../../core/process.js';

/**
 * Leases are also claimed on disk, one file per device created with O_EXCL, so that two
 * processes on one host (two workers, or a worker and `consentry devices`) never hold the same
 * phone and the CLI can show who holds it. A claim whose holder died or stopped heartbeating is
 * stale and may be taken over.
 */
export const LeaseClaim = z
  .object({
    serial: z.string(),
    leaseId: z.string(),
    pid: z.number().int(),
    host: z.string(),
    acquiredAt: z.number(),
    expiresAt: z.number(),
    /** Who holds it, e.g. the app being run. */
    holder: z.string().optional(),
  })
  .strict();
export type LeaseClaim = z.infer<typeof LeaseClaim>;

/** Claims live in stateDir with the quarantine (never under the captures root, which may fill up). */
export function leaseClaimsDirIn(stateDir: string): string {
  return join(stateDir, 'devices', 'leases');
}

export class LeaseClaims {
  constructor(readonly dir: string) {}

  private fileOf(serial: string): string {
    // A serial may be host:port; the file name only needs to be stable and safe.
    return join(this.dir, `${safeFileSegment(serial)}.json`);
  }

  /** Atomically claims the device; false when a live claim by someone else exists. */
  tryClaim(claim: LeaseClaim): boolean {
    mkdirSync(this.dir, { recursive: true });
    const file = this.fileOf(claim.serial);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        writeFileSync(file, JSON.stringify(claim), { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const existing = this.read(claim.serial);
        if (existing && this.isLive(existing)) return false;
        // Stale (holder dead or expired) or unreadable: take it over once.
        try {
          unlinkSync(file);
        } catch {
          /* another process removed it first; retry the exclusive create */
        }
      }
    }
    return false;
  }

  renew(serial: string, leaseId: string, expiresAt: number): void {
    const existing = this.read(serial);
    if (!existing || existing.leaseId !== leaseId) return;
    const file = this.fileOf(serial);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ ...existing, expiresAt }));
    renameSync(tmp, file);
  }

  drop(serial: string, leaseId: string): void {
    const existing = this.read(serial);
    if (!existing || existing.leaseId !== leaseId) return;
    try {
      unlinkSync(this.fileOf(serial));
    } catch {
      /* already gone */
    }
  }

  read(serial: string): LeaseClaim | undefined {
    try {
      const parsed = LeaseClaim.safeParse(JSON.parse(readFileSync(this.fileOf(serial), 'utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  /** Live claims only: what `consentry devices` shows in its lease column. */
  live(): LeaseClaim[] {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((n) => n.endsWith('.json'));
    } catch {
      return [];
    }
    const claims: LeaseClaim[] = [];
    for (const name of names) {
      try {
        const parsed = LeaseClaim.safeParse(JSON.parse(readFileSync(join(this.dir, name), 'utf8')));
        if (parsed.success && this.isLive(parsed.data)) claims.push(parsed.data);
      } catch {
        /* half-written or removed meanwhile */
      }
    }
    return claims;
  }

  isLive(claim: LeaseClaim, now = Date.now()): boolean {
    if (claim.expiresAt < now) return false;
    if (claim.host === hostname() && !processAlive(claim.pid)) return false;
    return true;
  }
}

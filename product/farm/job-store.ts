import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Batch state in an embedded SQLite database under the captures root. Every transition is one
 * transaction, so a batch killed with `kill -9` resumes (`--resume`) without redoing finished
 * apps: jobs that were `running` when the process died go back to `queued`, and their
 * half-written bundles are recorded as abandoned, never counted as done. A run stopped by
 * Ctrl-C is not a failure either: its job goes back to `queued` with the code INTERRUPTED, so
 * `--resume` redoes it.
 */
export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

/** error_code of a queued job whose last run was interrupted (it is redone on --resume). */
export const INTERRUPTED = 'INTERRUPTED';

export interface JobSpec {
  appPath: string;
  policy?: string;
  declared?: string;
  scenario?: string;
}

export interface JobRow extends JobSpec {
  id: number;
  batchId: string;
  status: JobStatus;
  attempts: number;
  device: string | null;
  bundleDir: string | null;
  verdict: string | null;
  ruleIds: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Devices this job must not go back to (it failed there because of the device). */
  excludedDevices: string[];
  abandonedBundles: string[];
  startedAt: number | null;
  endedAt: number | null;
}

interface RawRow {
  id: number;
  batch_id: string;
  app_path: string;
  policy: string | null;
  declared: string | null;
  scenario: string | null;
  status: JobStatus;
  attempts: number;
  device: string | null;
  bundle_dir: string | null;
  verdict: string | null;
  rule_ids: string | null;
  error_code: string | null;
  error_message: string | null;
  excluded_devices: string;
  abandoned_bundles: string;
  started_at: number | null;
  ended_at: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  id TEXT PRIMARY KEY,
  created_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  options TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id TEXT NOT NULL REFERENCES batches(id),
  app_path TEXT NOT NULL,
  policy TEXT, declared TEXT, scenario TEXT,
  status TEXT NOT NULL CHECK (status IN ('queued','running','done','failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  device TEXT, bundle_dir TEXT, verdict TEXT, rule_ids TEXT,
  error_code TEXT, error_message TEXT,
  excluded_devices TEXT NOT NULL DEFAULT '[]',
  abandoned_bundles TEXT NOT NULL DEFAULT '[]',
  started_at INTEGER, ended_at INTEGER,
  UNIQUE (batch_id, app_path, scenario)
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(batch_id, status);
`;

export class JobStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  createBatch(id: string, source: string, options: unknown, jobs: JobSpec[]): void {
    const insertJob = this.db.prepare(
      `INSERT OR IGNORE INTO jobs (batch_id, app_path, policy, declared, scenario, status) VALUES (?, ?, ?, ?, ?, 'queued')`,
    );
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO batches (id, created_at, source, options) VALUES (?, ?, ?, ?)').run(id, Date.now(), source, JSON.stringify(options));
      for (const j of jobs) insertJob.run(id, j.appPath, j.policy ?? null, j.declared ?? null, j.scenario ?? null);
    })();
  }

  batchExists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM batches WHERE id = ?').get(id) !== undefined;
  }

  latestBatch(): string | undefined {
    return (this.db.prepare('SELECT id FROM batches ORDER BY created_at DESC, rowid DESC LIMIT 1').get() as { id: string } | undefined)?.id;
  }

  /**
   * After a crash: every job still `running` was interrupted. Its bundle (partial, or finished in
   * the moment before the crash, before the job was recorded done) is recorded as abandoned and
   * the job is queued again (the attempt does not count against the app).
   */
  recoverInterrupted(batchId: string): number {
    const rows = this.db.prepare(`SELECT * FROM jobs WHERE batch_id = ? AND status = 'running'`).all(batchId) as RawRow[];
    const update = this.db.prepare(
      `UPDATE jobs SET status = 'queued', device = NULL, bundle_dir = NULL, abandoned_bundles = ?, attempts = MAX(attempts - 1, 0) WHERE id = ?`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        const abandoned = JSON.parse(r.abandoned_bundles) as string[];
        if (r.bundle_dir) abandoned.push(r.bundle_dir);
        update.run(JSON.stringify(abandoned), r.id);
      }
    })();
    return rows.length;
  }

  /**
   * Before a resume: every job whose run did not finish goes back to the queue and is counted,
   * so the caller can say how many apps are redone. That is a job still `running` (the process
   * died), one stopped by Ctrl-C (queued with INTERRUPTED), and one recorded `failed` although
   * its bundle says the run never finished (`bundleUnfinished`: batches interrupted before
   * interruption was told apart from failure).
   */
  requeueUnfinished(batchId: string, bundleUnfinished: (bundleDir: string) => boolean): number {
    this.db.transaction(() => {
      for (const r of this.db.prepare(`SELECT * FROM jobs WHERE batch_id = ? AND status = 'running'`).all(batchId) as RawRow[]) this.requeueAbandoning(r, 'running');
      const failed = this.db.prepare(`SELECT * FROM jobs WHERE batch_id = ? AND status = 'failed' AND bundle_dir IS NOT NULL`).all(batchId) as RawRow[];
      for (const r of failed) if (bundleUnfinished(r.bundle_dir!)) this.requeueAbandoning(r, 'failed');
    })();
    // Counted after the requeue, so apps interrupted by an earlier Ctrl-C (already queued)
    // and not yet redone are counted as well.
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM jobs WHERE batch_id = ? AND status = 'queued' AND error_code = ?`).get(batchId, INTERRUPTED) as { n: number }).n;
  }

  /**
   * The run was stopped (Ctrl-C, SIGTERM) before it finished: not the app's fault nor the
   * device's. The job goes back to the queue for `--resume`, its partial bundle is abandoned
   * and the attempt does not count.
   */
  markInterrupted(jobId: number): void {
    const row = this.db.prepare(`SELECT * FROM jobs WHERE id = ? AND status = 'running'`).get(jobId) as RawRow | undefined;
    if (row) this.requeueAbandoning(row, 'running');
  }

  private requeueAbandoning(row: RawRow, from: JobStatus): void {
    const abandoned = JSON.parse(row.abandoned_bundles) as string[];
    if (row.bundle_dir && !abandoned.includes(row.bundle_dir)) abandoned.push(row.bundle_dir);
    this.db
      .prepare(
        `UPDATE jobs SET status = 'queued', device = NULL, bundle_dir = NULL, verdict = NULL, ended_at = NULL, error_code = ?, error_message = ?,
         abandoned_bundles = ?, attempts = MAX(attempts - 1, 0) WHERE id = ? AND status = ?`,
      )
      .run(INTERRUPTED, 'the run was interrupted before it finished; --resume redoes it', JSON.stringify(abandoned), row.id, from);
  }

  /** Atomically takes the next queued job this device may run. */
  claim(batchId: string, device: string): JobRow | undefined {
    return this.db.transaction(() => {
      const candidates = this.db
        .prepare(`SELECT * FROM jobs WHERE batch_id = ? AND status = 'queued' ORDER BY attempts ASC, id ASC LIMIT 64`)
        .all(batchId) as RawRow[];
      const row = candidates.find((r) => !(JSON.parse(r.excluded_devices) as string[]).includes(device));
      if (!row) return undefined;
      this.db
        .prepare(`UPDATE jobs SET status = 'running', device = ?, attempts = attempts + 1, started_at = ?, bundle_dir = NULL, error_code = NULL, error_message = NULL WHERE id = ?`)
        .run(device, Date.now(), row.id);
      return toJob({ ...row, status: 'running', device, attempts: row.attempts + 1 });
    })();
  }

  /** For the distributed coordinator: a worker took the job (it may already be running). */
  claimAs(jobId: number, device: string): void {
    this.db
      .prepare(`UPDATE jobs SET status = 'running', device = ?, attempts = attempts + 1, started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'queued'`)
      .run(device, Date.now(), jobId);
  }

  status(jobId: number): JobStatus | undefined {
    return (this.db.prepare('SELECT status FROM jobs WHERE id = ?').get(jobId) as { status: JobStatus } | undefined)?.status;
  }

  /** The bundle directory as soon as the run knows it, so a crash can mark it abandoned. */
  setBundle(jobId: number, bundleDir: string): void {
    this.db.prepare('UPDATE jobs SET bundle_dir = ? WHERE id = ?').run(bundleDir, jobId);
  }

  markDone(jobId: number, result: { bundleDir: string; verdict: string; ruleIds: string[] }): void {
    this.db
      .prepare(`UPDATE jobs SET status = 'done', bundle_dir = ?, verdict = ?, rule_ids = ?, ended_at = ? WHERE id = ? AND status = 'running'`)
      .run(result.bundleDir, result.verdict, result.ruleIds.join(' '), Date.now(), jobId);
  }

  /** `requeue` sends the job back (optionally never to `excludeDevice` again); otherwise it ends failed. */
  markFailed(jobId: number, error: { code: string; message: string }, requeue: { excludeDevice?: string } | false): void {
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as RawRow | undefined;
    if (!row) return;
    const excluded = JSON.parse(row.excluded_devices) as string[];
    if (requeue && requeue.excludeDevice && !excluded.includes(requeue.excludeDevice)) excluded.push(requeue.excludeDevice);
    const abandoned = JSON.parse(row.abandoned_bundles) as string[];
    if (requeue && row.bundle_dir) abandoned.push(row.bundle_dir);
    this.db
      .prepare(
        `UPDATE jobs SET status = ?, error_code = ?, error_message = ?, excluded_devices = ?, abandoned_bundles = ?, ended_at = ?, device = CASE WHEN ? THEN NULL ELSE device END WHERE id = ?`,
      )
      .run(requeue ? 'queued' : 'failed', error.code, error.message.slice(0, 2000), JSON.stringify(excluded), JSON.stringify(abandoned), requeue ? null : Date.now(), requeue ? 1 : 0, jobId);
  }

  jobs(batchId: string): JobRow[] {
    return (this.db.prepare('SELECT * FROM jobs WHERE batch_id = ? ORDER BY id').all(batchId) as RawRow[]).map(toJob);
  }

  counts(batchId: string): Record<JobStatus, number> {
    const out: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const r of this.db.prepare('SELECT status, COUNT(*) AS n FROM jobs WHERE batch_id = ? GROUP BY status').all(batchId) as { status: JobStatus; n: number }[]) {
      out[r.status] = r.n;
    }
    return out;
  }
}


function toJob(r: RawRow): JobRow {
  return {
    id: r.id,
    batchId: r.batch_id,
    appPath: r.app_path,
    ...(r.policy ? { policy: r.policy } : {}),
    ...(r.declared ? { declared: r.declared } : {}),
    ...(r.scenario ? { scenario: r.scenario } : {}),
    status: r.status,
    attempts: r.attempts,
    device: r.device,
    bundleDir: r.bundle_dir,
    verdict: r.verdict,
    ruleIds: r.rule_ids,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    excludedDevices: JSON.parse(r.excluded_devices) as string[],
    abandonedBundles: JSON.parse(r.abandoned_bundles) as string[],
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { InputError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import type { DeviceProvider, TrackedDevice } from './device-provider.js';
import { stateHint } from './device-state.js';
import { DeviceQuarantinedError, NoDeviceAvailableError } from './errors.js';
import type { DeviceFacts } from './facts.js';
import { checkHealth, summariseHealth, type HealthReport } from './health.js';
import { journalFileIn, pendingUndoSteps, persistJournalsOf, replayJournal, type ReplayReport } from './journal.js';
import { LeaseController, type DeviceLease, type LeaseEnd, type ReleaseOutcome } from './lease.js';
import type { LeaseClaims } from './lease-claims.js';
import { matchProfile, type LoadedProfile } from './profiles.js';
import type { QuarantineEntry, QuarantineStore } from './quarantine.js';

export interface LeaseRequest {
  /** This device and no other. */
  serial?: string;
  /** Any device whose profile has this id. */
  profile?: string;
  /** How long to wait for a device; default: the pool's leaseWaitMs. */
  timeoutMs?: number;
  /** Shown in `consentry devices` (e.g. the app or job id). */
  holder?: string;
}

export interface DevicePoolOptions {
  provider: DeviceProvider;
  profiles: LoadedProfile[];
  quarantine: QuarantineStore;
  /** Cross-process claim files; without them leases are known to this process only. */
  claims?: LeaseClaims;
  /**
   * Folder of the devices' undo journals (stateDir). With it, every lease's journal is on disk
   * as it is written, and a journal a dead process left behind is replayed before the device
   * is leased again.
   */
  journalsDir?: string;
  /** Failed health checks, or failed runs, in a row before quarantine. */
  maxConsecutiveFailures: number;
  /** A lease with no heartbeat for this long expires. */
  heartbeatTimeoutMs: number;
  /** Hard cap on one lease. */
  maxLeaseMs: number;
  /** Default wait in lease(). */
  leaseWaitMs?: number;
  /**
   * How long a leased device may be offline or gone before its lease is lost. Covers USB blips
   * and `adb root`, which restarts adbd. Default 5 s.
   */
  offlineGraceMs?: number;
  logger?: Logger;
}

/** What `consentry devices` prints about one device. */
export interface DeviceStatus {
  serial: string;
  state: string;
  hint: string;
  transport: string;
  model?: string;
  apiLevel?: number;
  profile?: string;
  lease?: { id: string; holder?: string; since: number; pid?: number };
  health: string;
  healthOk?: boolean;
  quarantine?: { since: number; reason: string };
  /** Undo steps a journal on disk still holds: the device was left changed (a run died, or an undo failed). */
  dirty?: { pendingSteps: number; journal: string };
}

interface DeviceRecord {
  tracked: TrackedDevice;
  /** false once adb no longer lists it. */
  present: boolean;
  facts?: DeviceFacts;
  profile?: LoadedProfile;
  lastHealth?: HealthReport;
  lease?: LeaseController;
  holder?: string;
  checking: boolean;
  /** Pending loss of the lease while the device is away (see offlineGraceMs). */
  graceTimer?: NodeJS.Timeout;
  lastUsedAt: number;
}

export interface DevicePoolEvents {
  'lease-lost': [lease: DeviceLease, end: LeaseEnd];
  quarantined: [entry: QuarantineEntry];
  changed: [];
}

const POLL_MS = 1_000;

/**
 * The device pool: one app per device at a time. Devices come from a DeviceProvider; a lease
 * is granted only after a health check, and a device that keeps failing is quarantined instead
 * of being tried forever.
 */
export class DevicePool extends EventEmitter<DevicePoolEvents> {
  private readonly records = new Map<string, DeviceRecord>();
  private readonly logger: Logger;
  private closed = false;

  private constructor(private readonly options: DevicePoolOptions) {
    super();
    this.logger = (options.logger ?? silentLogger()).child({ component: 'device-pool' });
    options.provider.on('update', (d) => this.onUpdate(d));
    options.provider.on('remove', (serial) => this.onRemove(serial));
  }

  static async open(options: DevicePoolOptions): Promise<DevicePool> {
    const pool = new DevicePool(options);
    for (const d of await options.provider.start()) pool.onUpdate(d);
    return pool;
  }

  async lease(request: LeaseRequest = {}): Promise<DeviceLease> {
    if (this.closed) throw new InputError('POOL_CLOSED', 'the device pool is closed');
    if (request.profile && !this.options.profiles.some((p) => p.profile.id === request.profile)) {
      throw new InputError('PROFILE_UNKNOWN', `no device profile has id "${request.profile}"`, { field: 'profile' });
    }
    const waitMs = request.timeoutMs ?? this.options.leaseWaitMs ?? 60_000;
    const deadline = Date.now() + waitMs;
    const label = request.serial ? `serial ${request.serial}` : request.profile ? `profile ${request.profile}` : 'any device';
    for (;;) {
      if (request.serial) {
        const q = this.options.quarantine.get(request.serial);
        if (q) throw new DeviceQuarantinedError(request.serial, q.reason);
      }
      const lease = await this.tryLease(request);
      if (lease) return lease;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || this.closed) throw new NoDeviceAvailableError(label, waitMs, this.whyNot(request));
      await this.waitForChange(Math.min(remaining, POLL_MS));
    }
  }

  /** Health-checks every idle device without counting failures (for `consentry devices`). */
  async refresh(): Promise<void> {
    const idle = [...this.records.values()].filter((r) => r.present && r.tracked.state === 'device' && !r.lease && !r.checking);
    await Promise.all(idle.map((r) => this.check(r)));
  }

  snapshot(): DeviceStatus[] {
    const quarantined = new Map(this.options.quarantine.list().map((q) => [q.serial, q]));
    const claims = new Map((this.options.claims?.live() ?? []).map((c) => [c.serial, c]));
    const serials = new Set([...this.records.keys(), ...quarantined.keys()]);
    return [...serials].sort().map((serial) => {
      const r = this.records.get(serial);
      const q = quarantined.get(serial);
      const claim = claims.get(serial);
      const state = r ? (r.present ? r.tracked.state : 'offline') : 'absent';
      const status: DeviceStatus = {
        serial,
        state: r?.tracked.detail ? `${state} (${r.tracked.detail})` : state,
        hint: r ? (r.present ? stateHint(r.tracked.state, r.tracked.transport) : 'the device disconnected from adb: reconnect it') : 'not connected',
        transport: r?.tracked.transport ?? '',
        health: summariseHealth(r?.lastHealth),
      };
      if (r?.facts) {
        status.model = r.facts.model;
        status.apiLevel = r.facts.apiLevel;
      }
      if (r?.profile) status.profile = r.profile.profile.id;
      if (r?.lastHealth) status.healthOk = r.lastHealth.ok;
      if (r?.lease?.active) {
        status.lease = { id: r.lease.id, since: r.lease.acquiredAt, pid: process.pid, ...(r.holder ? { holder: r.holder } : {}) };
      } else if (claim) {
        status.lease = { id: claim.leaseId, since: claim.acquiredAt, pid: claim.pid, ...(claim.holder ? { holder: claim.holder } : {}) };
      }
      if (q) status.quarantine = { since: q.since, reason: q.reason };
      if (this.options.journalsDir) {
        const journal = journalFileIn(this.options.journalsDir, serial);
        const pendingSteps = pendingUndoSteps(journal);
        if (pendingSteps > 0) status.dirty = { pendingSteps, journal };
      }
      return status;
    });
  }

  /** Ends every lease (as lost: pool closed) and stops tracking. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const active = [...this.records.values()].flatMap((r) => (r.lease?.active ? [r.lease] : []));
    await Promise.all(active.map((l) => l.end({ reason: 'pool-closed', detail: 'the device pool was closed', at: Date.now() })));
    await this.options.provider.stop();
    this.emit('changed');
  }

  private async tryLease(request: LeaseRequest): Promise<DeviceLease | undefined> {
    const quarantined = new Set(this.options.quarantine.list().map((q) => q.serial));
    const candidates = [...this.records.entries()]
      .filter(([serial, r]) => {
        if (request.serial && serial !== request.serial) return false;
        if (!r.present || r.tracked.state !== 'device' || r.lease || r.checking || quarantined.has(serial)) return false;
        if (request.profile && r.profile && r.profile.profile.id !== request.profile) return false;
        return true;
      })
      .map(([, r]) => r)
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    for (const record of candidates) {
      const serial = record.tracked.serial;
      if (this.options.claims?.read(serial) && !this.claimFree(serial)) continue;
      const report = await this.check(record, true);
      if (!report.ok || !record.facts || !record.profile) continue;
      if (request.profile && record.profile.profile.id !== request.profile) continue;
      if (!record.present || record.tracked.state !== 'device' || this.closed) continue;
      const lease = this.grant(record, request);
      if (lease) await this.replayLeftovers(record);
      return lease;
    }
    return undefined;
  }

  private claimFree(serial: string): boolean {
    const claim = this.options.claims?.read(serial);
    return !claim || !this.options.claims!.isLive(claim);
  }

  private grant(record: DeviceRecord, request: LeaseRequest): DeviceLease | undefined {
    const serial = record.tracked.serial;
    const id = randomUUID();
    const now = Date.now();
    const claimed =
      this.options.claims?.tryClaim({
        serial,
        leaseId: id,
        pid: process.pid,
        host: hostname(),
        acquiredAt: now,
        expiresAt: now + Math.min(this.options.heartbeatTimeoutMs, this.options.maxLeaseMs),
        ...(request.holder ? { holder: request.holder } : {}),
      }) ?? true;
    // Another process took it between our check and our claim.
    if (!claimed) return undefined;
    const controller = new LeaseController(
      { id, serial, profile: record.profile!.profile, facts: record.facts!, device: this.options.provider.device(serial) },
      { heartbeatTimeoutMs: this.options.heartbeatTimeoutMs, maxLeaseMs: this.options.maxLeaseMs },
      {
        onEnd: (lease, end, outcome) => this.onLeaseEnd(record, lease, end, outcome),
        onHeartbeat: (lease) => this.options.claims?.renew(serial, lease.id, lease.expiresAt),
      },
    );
    record.lease = controller;
    record.holder = request.holder;
    if (this.options.journalsDir) persistJournalsOf(serial, journalFileIn(this.options.journalsDir, serial));
    this.logger.info({ serial, lease: id, profile: record.profile!.profile.id, holder: request.holder }, 'leased');
    return controller.handle;
  }

  /**
   * Replays what a dead process (or a failed undo) left in the device's journal, while this
   * process holds the claim, so no one else touches the phone meanwhile.
   */
  private async replayLeftovers(record: DeviceRecord): Promise<ReplayReport | undefined> {
    if (!this.options.journalsDir) return undefined;
    const serial = record.tracked.serial;
    const file = journalFileIn(this.options.journalsDir, serial);
    if (pendingUndoSteps(file) === 0) return undefined;
    const root = record.facts?.root ?? 'none';
    const report = await replayJournal(this.options.provider.device(serial), serial, file, root === 'su' || root === 'adbd' ? root : 'none');
    this.lastReplay.set(serial, report);
    this.logger.warn({ serial, undone: report.undone, failed: report.failed }, 'replayed the undo journal a previous run left behind');
    return report;
  }

  /**
   * `consentry devices --reset SERIAL`: takes the device (health check and claim, as a lease),
   * replays its leftover journal, and gives it back. Returns what the replay did.
   */
  async reset(serial: string, timeoutMs = 10_000): Promise<ReplayReport & { pendingSteps: number }> {
    this.lastReplay.delete(serial);
    const lease = await this.lease({ serial, timeoutMs, holder: 'consentry devices --reset' });
    // Not a run: neither a success nor a failure for the quarantine count.
    await lease.release({ ok: true, interrupted: true });
    const file = this.options.journalsDir ? journalFileIn(this.options.journalsDir, serial) : undefined;
    const pendingSteps = file ? pendingUndoSteps(file) : 0;
    return { undone: this.lastReplay.get(serial)?.undone ?? 0, failed: this.lastReplay.get(serial)?.failed ?? [], pendingSteps };
  }

  private readonly lastReplay = new Map<string, ReplayReport>();

  private async onLeaseEnd(record: DeviceRecord, lease: LeaseController, end: LeaseEnd, outcome?: ReleaseOutcome): Promise<void> {
    const serial = record.tracked.serial;
    this.cancelGrace(record);
    this.options.claims?.drop(serial, lease.id);
    // The lease's journal keeps its file; a journal started after the lease is not persisted here.
    if (this.options.journalsDir) persistJournalsOf(serial, undefined);
    if (record.lease === lease) {
      record.lease = undefined;
      record.holder = undefined;
    }
    record.lastUsedAt = Date.now();
    this.logger.info({ serial, lease: lease.id, reason: end.reason, detail: end.detail }, 'lease ended');
    if (end.reason !== 'released') this.emit('lease-lost', lease.handle, end);
    const deviceFault = end.reason === 'device-removed' || end.reason === 'device-offline';
    // The streak lives in the quarantine file, so runs in separate processes add up.
    if (outcome?.ok) this.options.quarantine.resetFailures(serial, 'runs');
    else if (outcome?.interrupted) {
      /* stopped by the user: says nothing about the device */
    } else if (outcome || deviceFault) {
      const failures = this.options.quarantine.recordFailure(serial, 'runs', `${new Date(end.at).toISOString()} ${end.detail}`);
      this.maybeQuarantine(record, 'runs', failures);
    }
    this.emit('changed');
  }

  private async check(record: DeviceRecord, count = false): Promise<HealthReport> {
    record.checking = true;
    try {
      const serial = record.tracked.serial;
      const device = this.options.provider.device(serial);
      const timeout = record.profile?.profile.health.shellTimeoutMs;
      const report = await checkHealth(device, (facts) => matchProfile(this.options.profiles, { serial, facts })?.profile, {
        ...(timeout ? { shellTimeoutMs: timeout } : {}),
      });
      record.lastHealth = report;
      if (report.facts) {
        record.facts = report.facts;
        record.profile = matchProfile(this.options.profiles, { serial, facts: report.facts });
      }
      if (count) {
        if (report.ok) this.options.quarantine.resetFailures(serial, 'health');
        else {
          const failures = this.options.quarantine.recordFailure(serial, 'health', `${new Date(report.at).toISOString()} ${summariseHealth(report)}`);
          this.maybeQuarantine(record, 'health', failures);
        }
      }
      return report;
    } finally {
      record.checking = false;
    }
  }

  private maybeQuarantine(record: DeviceRecord, kind: 'health' | 'runs', failures: string[]): void {
    const limit = this.options.maxConsecutiveFailures;
    if (failures.length < limit) return;
    const what = kind === 'health' ? 'health checks' : 'runs';
    const entry: QuarantineEntry = {
      serial: record.tracked.serial,
      since: Date.now(),
      kind,
      reason: `${failures.length} ${what} in a row failed; last: ${failures[failures.length - 1]?.replace(/^\S+ /, '')}`,
      failures: failures.slice(-20),
    };
    this.options.quarantine.quarantine(entry);
    this.logger.warn({ serial: entry.serial, reason: entry.reason }, 'device quarantined');
    this.emit('quarantined', entry);
  }

  private onUpdate(tracked: TrackedDevice): void {
    const existing = this.records.get(tracked.serial);
    if (!existing) {
      this.records.set(tracked.serial, {
        tracked,
        present: true,
        checking: false,
        lastUsedAt: 0,
      });
    } else {
      existing.tracked = tracked;
      existing.present = true;
      if (tracked.state === 'device') this.cancelGrace(existing);
      else this.loseLeaseAfterGrace(existing, 'device-offline', `device went ${tracked.state}`);
    }
    this.emit('changed');
  }

  private onRemove(serial: string): void {
    const record = this.records.get(serial);
    if (!record) return;
    // Keep the record, marked offline, so `devices` and the lost lease can still say what happened.
    record.present = false;
    record.tracked = { ...record.tracked, state: 'offline' };
    this.loseLeaseAfterGrace(record, 'device-removed', 'device disappeared from adb');
    this.emit('changed');
  }

  private loseLeaseAfterGrace(record: DeviceRecord, reason: 'device-offline' | 'device-removed', detail: string): void {
    const lease = record.lease;
    if (!lease?.active || record.graceTimer) return;
    const graceMs = this.options.offlineGraceMs ?? 5_000;
    const lose = () => {
      record.graceTimer = undefined;
      void lease.end({ reason, detail: graceMs > 0 ? `${detail} for more than ${graceMs} ms` : detail, at: Date.now() });
    };
    if (graceMs <= 0) lose();
    else record.graceTimer = setTimeout(lose, graceMs);
  }

  private cancelGrace(record: DeviceRecord): void {
    clearTimeout(record.graceTimer);
    record.graceTimer = undefined;
  }

  private whyNot(request: LeaseRequest): string[] {
    const quarantined = new Map(this.options.quarantine.list().map((q) => [q.serial, q]));
    const reasons: string[] = [];
    for (const [serial, r] of this.records) {
      if (request.serial && serial !== request.serial) continue;
      if (quarantined.has(serial)) reasons.push(`${serial} quarantined (${quarantined.get(serial)!.reason})`);
      else if (!r.present) reasons.push(`${serial} disconnected`);
      else if (r.tracked.state !== 'device') reasons.push(`${serial} ${r.tracked.state}: ${stateHint(r.tracked.state, r.tracked.transport)}`);
      else if (r.lease) reasons.push(`${serial} leased${r.holder ? ` by ${r.holder}` : ''}`);
      else if (!this.claimFree(serial)) reasons.push(`${serial} leased by another process`);
      else if (request.profile && r.profile && r.profile.profile.id !== request.profile) reasons.push(`${serial} is ${r.profile.profile.id}`);
      else if (r.lastHealth && !r.lastHealth.ok) reasons.push(`${serial} unhealthy: ${summariseHealth(r.lastHealth)}`);
    }
    if (this.records.size === 0) reasons.push('adb lists no device');
    else if (request.serial && !this.records.has(request.serial)) reasons.push(`${request.serial} is not connected`);
    return reasons;
  }

  private waitForChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.off('changed', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.once('changed', done);
    });
  }
}

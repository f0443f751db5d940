import { randomUUID } from 'node:crypto';
import type { AdbDevice } from './adb-device.js';
import { LeaseLostError } from './errors.js';
import type { DeviceFacts } from './facts.js';
import type { DeviceProfile } from './profile-schema.js';

/** Why a lease ended. Only `released` is the holder's doing; the others make the lease lost. */
export type LeaseEndReason = 'released' | 'expired' | 'timeout' | 'device-removed' | 'device-offline' | 'pool-closed';

export interface LeaseEnd {
  reason: LeaseEndReason;
  detail: string;
  at: number;
}

export interface ReleaseOutcome {
  /** false: the run failed on this device; N failures in a row quarantine it. */
  ok: boolean;
  reason?: string;
  /** The run was stopped by the user (Ctrl-C): neither a success nor the device's failure. */
  interrupted?: boolean;
}

/**
 * What a holder gets: an immutable handle on one device for one app. The holder heartbeats
 * while it works and releases when done; if it stops heartbeating (crashed) the lease expires
 * and the device returns to the pool. If the device disappears, `lost` resolves and `signal`
 * aborts, so that work in progress can stop instead of waiting on a dead transport.
 */
export interface DeviceLease {
  readonly id: string;
  readonly serial: string;
  readonly profile: DeviceProfile;
  readonly facts: DeviceFacts;
  /** host time - device time, ms, measured by the health check that granted the lease. */
  readonly clockOffsetMs: number;
  readonly acquiredAt: number;
  readonly device: AdbDevice;
  /** Resolves when the lease ends without release (never rejects, never resolves after release). */
  readonly lost: Promise<LeaseEnd>;
  readonly signal: AbortSignal;
  isActive(): boolean;
  /** Keeps the lease alive; throws LeaseLostError once it has ended. */
  heartbeat(): void;
  release(outcome: ReleaseOutcome): Promise<void>;
}

export interface LeaseTiming {
  /** The lease expires when no heartbeat came for this long. */
  heartbeatTimeoutMs: number;
  /** Hard cap on a lease, heartbeats or not. */
  maxLeaseMs: number;
}

export interface LeaseHooks {
  /** Called once, when the lease ends for any reason; `outcome` only on release. */
  onEnd(lease: LeaseController, end: LeaseEnd, outcome?: ReleaseOutcome): Promise<void> | void;
  onHeartbeat?(lease: LeaseController): void;
}

/** The lease's state machine: active → ended (released | expired | timeout | lost). */
export class LeaseController {
  readonly id: string;
  readonly acquiredAt = Date.now();
  private ending: LeaseEnd | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly maxTimer: NodeJS.Timeout;
  private readonly abort = new AbortController();
  private resolveLost!: (end: LeaseEnd) => void;
  private lastHeartbeatAt = Date.now();
  readonly lost = new Promise<LeaseEnd>((resolve) => {
    this.resolveLost = resolve;
  });
  readonly handle: DeviceLease;

  constructor(
    init: { id?: string; serial: string; profile: DeviceProfile; facts: DeviceFacts; device: AdbDevice },
    private readonly timing: LeaseTiming,
    private readonly hooks: LeaseHooks,
  ) {
    this.id = init.id ?? randomUUID();
    this.armHeartbeat();
    this.maxTimer = setTimeout(
      () => void this.end({ reason: 'timeout', detail: `lease held longer than ${timing.maxLeaseMs} ms`, at: Date.now() }),
      timing.maxLeaseMs,
    );
    this.maxTimer.unref?.();
    this.handle = Object.freeze({
      id: this.id,
      serial: init.serial,
      profile: init.profile,
      facts: init.facts,
      clockOffsetMs: init.facts.clockOffsetMs ?? 0,
      acquiredAt: this.acquiredAt,
      device: init.device,
      lost: this.lost,
      signal: this.abort.signal,
      isActive: () => this.active,
      heartbeat: () => this.heartbeat(),
      release: (outcome: ReleaseOutcome) => this.release(outcome),
    });
  }

  get serial(): string {
    return this.handle.serial;
  }

  get active(): boolean {
    return this.ending === undefined;
  }

  get endedWith(): LeaseEnd | undefined {
    return this.ending;
  }

  get expiresAt(): number {
    return Math.min(this.lastHeartbeatAt + this.timing.heartbeatTimeoutMs, this.acquiredAt + this.timing.maxLeaseMs);
  }

  heartbeat(): void {
    if (this.ending) throw new LeaseLostError(this.serial, this.ending.detail);
    this.lastHeartbeatAt = Date.now();
    this.armHeartbeat();
    this.hooks.onHeartbeat?.(this);
  }

  async release(outcome: ReleaseOutcome): Promise<void> {
    // Releasing a lease that was already lost is not an error: the holder is cleaning up.
    if (this.ending) return;
    await this.end({ reason: 'released', detail: outcome.reason ?? (outcome.ok ? 'run finished' : 'run failed'), at: Date.now() }, outcome);
  }

  /** Ends the lease once; later calls are ignored. */
  async end(end: LeaseEnd, outcome?: ReleaseOutcome): Promise<void> {
    if (this.ending) return;
    this.ending = end;
    clearTimeout(this.heartbeatTimer);
    clearTimeout(this.maxTimer);
    if (end.reason !== 'released') {
      this.abort.abort(new LeaseLostError(this.serial, end.detail));
      this.resolveLost(end);
    }
    await this.hooks.onEnd(this, end, outcome);
  }

  private armHeartbeat(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(
      () =>
        void this.end({
          reason: 'expired',
          detail: `no heartbeat for ${this.timing.heartbeatTimeoutMs} ms (holder stopped or crashed)`,
          at: Date.now(),
        }),
      this.timing.heartbeatTimeoutMs,
    );
    this.heartbeatTimer.unref?.();
  }
}

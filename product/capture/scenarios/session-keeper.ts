import { errorMessage } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { UiSession } from './ui-session.js';

/**
 * Keeps one Appium session per device between runs, so a farm pays the session start (about a
 * second with the UiAutomator2 server already on the device, far more when the driver installs
 * it) once per device instead of once per app. Safe because the session is not bound to an app:
 * consentry installs and launches apps itself and sessions run with `noReset`.
 *
 * A kept session is checked before it is handed out again (a device rebooted, a server that
 * crashed, Appium's own idle timeout all end it); one that does not answer is closed and a new
 * one opened. A run that fails hands its session back as unhealthy, so the next run starts
 * clean.
 */
export class UiSessionKeeper {
  private readonly idle = new Map<string, UiSession>();
  private readonly logger: Logger;
  private readonly checkTimeoutMs: number;
  private readonly keep: boolean;

  constructor(options: { keep?: boolean; checkTimeoutMs?: number; logger?: Logger } = {}) {
    this.keep = options.keep ?? true;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 10_000;
    this.logger = options.logger ?? silentLogger();
  }

  /** The device's kept session when it still answers (`reused`), else a new one from `open`. */
  async acquire(serial: string, open: () => Promise<UiSession>): Promise<{ session: UiSession; reused: boolean }> {
    const kept = this.idle.get(serial);
    this.idle.delete(serial);
    if (kept) {
      if (await this.answers(kept)) {
        this.logger.debug({ serial, sessionId: kept.sessionId }, 'appium session reused');
        return { session: kept, reused: true };
      }
      this.logger.info({ serial, sessionId: kept.sessionId }, 'kept appium session no longer answers; opening a new one');
      await closeQuietly(kept);
    }
    return { session: await open(), reused: false };
  }

  /** Hands a session back after a run: kept for the device's next run when healthy, else closed. */
  async release(serial: string, session: UiSession, healthy: boolean): Promise<void> {
    if (!this.keep || !healthy) {
      await closeQuietly(session);
      return;
    }
    const previous = this.idle.get(serial);
    this.idle.set(serial, session);
    // One device, one app at a time: a second session for the same device is a leftover.
    if (previous && previous !== session) await closeQuietly(previous);
  }

  /** Ends every kept session (before the Appium server stops). */
  async closeAll(): Promise<void> {
    const sessions = [...this.idle.values()];
    this.idle.clear();
    await Promise.all(sessions.map(closeQuietly));
  }

  /** How many sessions are kept, for logs and tests. */
  get size(): number {
    return this.idle.size;
  }

  private async answers(session: UiSession): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${this.checkTimeoutMs} ms`)), this.checkTimeoutMs);
    });
    try {
      // A command that goes through Appium to the UiAutomator2 server on the device and back.
      await Promise.race([session.driver.windowSize(), timeout]);
      return true;
    } catch (e) {
      this.logger.debug({ sessionId: session.sessionId, err: errorMessage(e) }, 'kept appium session check failed');
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function closeQuietly(session: UiSession): Promise<void> {
  // Deleting a session whose server is gone fails; there is nothing left to clean up then.
  await session.driver.close().catch(() => undefined);
}

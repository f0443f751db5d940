import { errorFamily } from '../core/error-codes.js';
import { ConsentryError } from '../core/errors.js';

/**
 * Who failed: the device (lost, unhealthy, adb or Appium session trouble) or the app (crash,
 * install rejected, invalid APK). Decided from the error's stable `code`, never from its text.
 * A device failure sends the app to another device; an app failure is recorded with its
 * evidence and retried only while the error says it is retryable, up to `maxAttempts`.
 */
export type FailureOwner = 'device' | 'app' | 'unknown';

/** From the code's family (core/error-codes.ts): a bad input of the job is the app's, not the device's. */
export function failureOwner(err: unknown): FailureOwner {
  if (!(err instanceof ConsentryError)) return 'unknown';
  const family = errorFamily(err.code);
  if (family === 'device') return 'device';
  if (family === 'app' || family === 'input') return 'app';
  return 'unknown';
}

export interface RetryDecision {
  requeue: boolean;
  /** Never give this job to the same device again. */
  excludeDevice: boolean;
  owner: FailureOwner;
}

export function decideRetry(err: unknown, attempts: number, maxAttempts: number): RetryDecision {
  const owner = failureOwner(err);
  const retryable = err instanceof ConsentryError ? err.retryable : false;
  if (attempts >= maxAttempts) return { requeue: false, excludeDevice: false, owner };
  if (owner === 'device') return { requeue: true, excludeDevice: true, owner };
  if (owner === 'app') return { requeue: retryable, excludeDevice: false, owner };
  return { requeue: retryable, excludeDevice: false, owner };
}

export function errorCode(err: unknown): string {
  return err instanceof ConsentryError ? err.code : 'INTERNAL';
}

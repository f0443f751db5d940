import { ConsentryError, EXIT, type ErrorContext } from '../../core/errors.js';
import type { ErrorCode } from '../../core/error-codes.js';

/**
 * Device-pool errors. The farm decides from `code` whether to retry the job elsewhere
 * (retryable) or to give up; quarantine is decided by the pool itself.
 */
export class DeviceError extends ConsentryError {
  readonly serial: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { serial?: string; cause?: unknown; retryable?: boolean; context?: ErrorContext; exitCode?: number } = {},
  ) {
    super(code, options.serial ? `device ${options.serial}: ${message}` : message, {
      cause: options.cause,
      retryable: options.retryable ?? false,
      context: { serial: options.serial, ...options.context },
      exitCode: options.exitCode ?? EXIT.environment,
    });
    this.serial = options.serial;
  }
}

/** No device matched the request within the lease timeout. Another worker may have one. */
export class NoDeviceAvailableError extends DeviceError {
  constructor(request: string, waitedMs: number, reasons: string[]) {
    super(
      'NO_DEVICE_AVAILABLE',
      `no device for ${request} within ${waitedMs} ms${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
      { retryable: true, context: { request, waitedMs } },
    );
  }
}

export class DeviceQuarantinedError extends DeviceError {
  constructor(serial: string, reason: string) {
    super('DEVICE_QUARANTINED', `is quarantined (${reason}); release it with: consentry devices --unquarantine ${serial}`, {
      serial,
    });
  }
}

/** The lease ended before its holder released it: device gone, or the holder stopped heartbeating. */
export class LeaseLostError extends DeviceError {
  constructor(serial: string, reason: string) {
    super('LEASE_LOST', `lease lost: ${reason}`, { serial, retryable: true });
  }
}

/** A shell command on the device failed or did not answer in time. */
export class DeviceCommandError extends DeviceError {
  constructor(serial: string, command: string, detail: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('DEVICE_COMMAND_FAILED', `"${command}" failed: ${detail}`, {
      serial,
      cause: options.cause,
      retryable: options.retryable ?? true,
      context: { command },
    });
  }
}

/** The app could not be installed: too big for the profile, rejected by the package manager... */
export class InstallError extends DeviceError {
  constructor(serial: string, packageName: string, detail: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super('INSTALL_FAILED', `installing ${packageName} failed: ${detail}`, {
      serial,
      cause: options.cause,
      retryable: options.retryable ?? false,
      context: { package: packageName },
    });
  }
}

export class EmulatorError extends DeviceError {
  constructor(message: string, options: { serial?: string; cause?: unknown; retryable?: boolean } = {}) {
    super('EMULATOR_FAILED', message, { ...options, retryable: options.retryable ?? true });
  }
}

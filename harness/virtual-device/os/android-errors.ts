import { ConsentryError } from '../../core/errors.js';

/**
 * A failure the Android framework would report: the shell prints it the way `cmd` prints a
 * Java exception ("Exception occurred while executing 'grant':" + class: message) or the way
 * pm prints install failures ("Failure [INSTALL_FAILED_...: detail]").
 */
export class AndroidException extends ConsentryError {
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super('VD_ANDROID_EXCEPTION', message, { context: { javaClass } });
  }
}

export class PackageManagerFailure extends ConsentryError {
  constructor(
    /** e.g. INSTALL_FAILED_VERSION_DOWNGRADE, DELETE_FAILED_INTERNAL_ERROR */
    readonly failure: string,
    readonly detail?: string,
  ) {
    super(`VD_${failure}`, detail ? `Failure [${failure}: ${detail}]` : `Failure [${failure}]`, { context: { failure } });
  }
}

export function unknownPackage(name: string): AndroidException {
  return new AndroidException('java.lang.IllegalArgumentException', `Unknown package: ${name}`);
}

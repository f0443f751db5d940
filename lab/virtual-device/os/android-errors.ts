/**
 * A failure the Android framework would report: the shell prints it the way `cmd` prints a
 * Java exception ("Exception occurred while executing 'grant':" + class: message) or the way
 * pm prints install failures ("Failure [INSTALL_FAILED_...: detail]"). Plain errors of the
 * simulated device: they become shell output and exit statuses, never consentry exit codes.
 */
export class AndroidException extends Error {
  readonly code = 'VD_ANDROID_EXCEPTION';
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super(message);
    this.name = 'AndroidException';
  }
}

export class PackageManagerFailure extends Error {
  readonly code: string;
  constructor(
    /** e.g. INSTALL_FAILED_VERSION_DOWNGRADE, DELETE_FAILED_INTERNAL_ERROR */
    readonly failure: string,
    readonly detail?: string,
  ) {
    super(detail ? `Failure [${failure}: ${detail}]` : `Failure [${failure}]`);
    this.name = 'PackageManagerFailure';
    this.code = `VD_${failure}`;
  }
}

export function unknownPackage(name: string): AndroidException {
  return new AndroidException('java.lang.IllegalArgumentException', `Unknown package: ${name}`);
}

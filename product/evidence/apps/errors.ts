import { InputError } from '../../core/errors.js';

/**
 * Everything wrong with an app file is the user's input, so it exits with the usage code and
 * names the file, the part of it (`field`: an entry name or a manifest path) and what was expected.
 * Codes are stable: the farm quarantines an app (not a device) on any APP_* code.
 */
export const APP_ERROR_CODES = [
  /** Not an APK, split APKs or XAPK. */
  'APP_UNSUPPORTED_FORMAT',
  /** Not a readable zip: truncated, bad central directory, inconsistent sizes. */
  'APP_ZIP_INVALID',
  /** Declared or real uncompressed size beyond the caps, or a suspicious compression ratio. */
  'APP_ZIP_BOMB',
  /** An entry name that would escape the extraction folder (`../`, absolute, backslashes). */
  'APP_ZIP_TRAVERSAL',
  /** An entry larger than what consentry agrees to read into memory. */
  'APP_ENTRY_TOO_LARGE',
  /** AndroidManifest.xml is missing or not valid binary XML. */
  'APP_MANIFEST_INVALID',
  /** A manifest value (package name, version, split name) fails validation. */
  'APP_MANIFEST_VALUE',
  /** classes*.dex is not a DEX file or its header points outside the file. */
  'APP_DEX_INVALID',
  /** The APK Signing Block or a v1 signature block cannot be parsed. */
  'APP_SIGNATURE_INVALID',
  /** Splits or XAPK parts that do not belong together. */
  'APP_SPLITS_INCONSISTENT',
  /** A --reference value that is neither a digest, a certificate nor an APK. */
  'APP_REFERENCE_INVALID',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export class AppInputError extends InputError {
  constructor(code: AppErrorCode, message: string, where: { file?: string; field?: string; cause?: unknown } = {}) {
    super(code, message, where);
  }
}

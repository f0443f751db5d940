import { ERROR_CODES, type AppFileErrorCode } from '../../core/error-codes.js';
import { InputError } from '../../core/errors.js';

/**
 * Everything wrong with an app file is the user's input, so it exits with the usage code and
 * names the file, the part of it (`field`: an entry name or a manifest path) and what was expected.
 * Codes are stable and listed, with what each means, in the app family of core/error-codes.ts:
 * the farm quarantines an app (not a device) on any APP_* code.
 */
export type AppErrorCode = AppFileErrorCode;
export const APP_ERROR_CODES: readonly AppErrorCode[] = ERROR_CODES.app.filter((c): c is AppErrorCode => c.startsWith('APP_'));

export class AppInputError extends InputError {
  constructor(code: AppErrorCode, message: string, where: { file?: string; field?: string; cause?: unknown } = {}) {
    super(code, message, where);
  }
}

import type { ErrorCode } from './error-codes.js';

/**
 * Errors carry a stable `code` (the farm decides retry or quarantine from it, never from
 * message text; every code is listed in its family in error-codes.ts), a `retryable` flag and
 * the context a user needs to act.
 */
export type ErrorContext = Record<string, string | number | boolean | undefined>;

export class ConsentryError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly context: ErrorContext;
  /** Process exit code the CLI uses when this error ends a command. */
  readonly exitCode: number;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; context?: ErrorContext; exitCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.context = options.context ?? {};
    this.exitCode = options.exitCode ?? EXIT.failure;
  }
}

/** Documented exit codes (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  /** A run or analysis produced findings at or above --fail-on. */
  findings: 1,
  /** Bad usage or invalid input: config, scenario, bundle, APK. */
  usage: 2,
  /** A required tool or device is missing or unhealthy (doctor failed). */
  environment: 3,
  /** The verdict is inconclusive: the tool could not see enough to judge. */
  inconclusive: 4,
  /** Interrupted by the user (SIGINT/SIGTERM). */
  interrupted: 130,
  /** Anything else: an internal failure. */
  failure: 70,
} as const;

/** Input that a user can fix: names the file, the field and what was expected. */
export class InputError extends ConsentryError {
  readonly file: string | undefined;
  readonly field: string | undefined;
  readonly line: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    where: { file?: string; field?: string; line?: number; cause?: unknown } = {},
  ) {
    super(code, formatWhere(where) + message, {
      cause: where.cause,
      exitCode: EXIT.usage,
      context: { file: where.file, field: where.field, line: where.line },
    });
    this.file = where.file;
    this.field = where.field;
    this.line = where.line;
  }
}

function formatWhere(where: { file?: string; field?: string; line?: number }): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.line ? `${where.file}:${where.line}` : where.file);
  if (where.field) parts.push(`field "${where.field}"`);
  return parts.length ? `${parts.join(', ')}: ` : '';
}

export class ToolMissingError extends ConsentryError {
  constructor(tool: string, hint: string, cause?: unknown) {
    super('TOOL_MISSING', `${tool} is not available: ${hint}`, { cause, exitCode: EXIT.environment });
  }
}

export class TimeoutError extends ConsentryError {
  constructor(what: string, ms: number) {
    super('TIMEOUT', `${what} did not finish within ${ms} ms`, { retryable: true });
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

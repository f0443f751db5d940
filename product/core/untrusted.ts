import { InputError } from './errors.js';

/**
 * Package names, file names and versions read from an APK are attacker-controlled. They are
 * validated here before they reach a shell command or a path.
 */

// Android package names: segments of [A-Za-z][A-Za-z0-9_]*, at least two, separated by dots
// (PackageParser.validateName). We also cap the length the way the platform does (255).
const PACKAGE_RE = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

export function isValidPackageName(name: string): boolean {
  return name.length <= 255 && PACKAGE_RE.test(name);
}

export function assertPackageName(name: string, where: { file?: string; field?: string } = {}): string {
  if (!isValidPackageName(name)) {
    throw new InputError(
      'INVALID_PACKAGE_NAME',
      `"${printable(name)}" is not a valid Android package name (expected dot-separated Java identifiers)`,
      { field: 'package', ...where },
    );
  }
  return name;
}

/** A name that is safe as one path segment: no separators, no dot-only names, no control chars. */
export function safeFileSegment(raw: string, fallback = 'unnamed'): string {
  const cleaned = raw
    .normalize('NFKC')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 120);
  return cleaned.length === 0 || /^_*$/.test(cleaned) ? fallback : cleaned;
}

/** Quotes one argument for the Android (mksh/toybox) shell. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Keeps a hostile string printable in one error line. */
export function printable(value: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

import { createHash } from 'node:crypto';
import type { DataTypeId } from '../../../contracts/data-types.js';
import type { DeviceIdentifiers } from '../../../contracts/bundle-schema.js';

/**
 * Expands the device's known identifiers into every textual form an app or SDK may send them
 * in (../shared/data-types.md, "Traffic forms"): case and separator variants, URL/form
 * encoding, base64 (standard and URL-safe, padded or not), hex of the UTF-8 bytes and
 * MD5/SHA-1/SHA-256 digests in lower and upper hex. Digests are taken of every variant, so
 * md5(upper(IMEI/MAC)) — a common tracker habit — is covered.
 *
 * Form names: the encoding, then "/<variant>" when it was applied to a variant rather than the
 * value as given: "sha1-upper/no-separators" is the upper-hex SHA-1 of the MAC without colons.
 */

/** How a match must be delimited to count (short or numeric values need context). */
export type Boundary =
  /** Neither neighbour may be a letter or digit when the pattern's edge is one. */
  | 'token'
  /** Coordinates: no digit, '.' or '-' before; anything after (a longer decimal still agrees). */
  | 'decimal-prefix'
  /** Coordinates rounded to N places: also no digit after (a longer decimal is another number). */
  | 'decimal-exact';

export interface IdentifierForm {
  dataType: DataTypeId;
  /** The device's own value, as listed in RunMeta.identifiers. */
  value: string;
  form: string;
  text: string;
  boundary: Boundary;
  /** Location coordinates only count when both halves of the same pair are seen together. */
  coordinate?: 'lat' | 'lon';
}

/** Values this short cannot be told apart from noise, in any form. */
export const MIN_VALUE_LENGTH = 4;

const MAC_RE = /^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COORDS_RE = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;

export function expandIdentifierForms(identifiers: DeviceIdentifiers): IdentifierForm[] {
  const forms: IdentifierForm[] = [];
  for (const [dataType, values] of Object.entries(identifiers) as [DataTypeId, string[] | undefined][]) {
    for (const raw of values ?? []) {
      const value = raw.trim();
      if (dataType === 'location') {
        forms.push(...locationForms(value));
        continue;
      }
      if (value.length < MIN_VALUE_LENGTH) continue;
      forms.push(...valueForms(dataType, value));
    }
  }
  return forms;
}

/** The textual variants of a value before any encoding, by variant name ('' = as given). */
export function textVariants(dataType: DataTypeId, value: string): Map<string, string> {
  const variants = new Map<string, string>();
  const add = (name: string, text: string) => {
    if (text.length >= MIN_VALUE_LENGTH && ![...variants.values()].includes(text)) variants.set(name, text);
  };
  // Android returns SSIDs in double quotes; apps usually strip them.
  const base = dataType === 'wifi-network' ? value.replace(/^"(.*)"$/, '$1') : value;
  add('', base);
  add('lower', base.toLowerCase());
  add('upper', base.toUpperCase());
  if (MAC_RE.test(base)) {
    const bare = base.replace(/[:-]/g, '');
    const pairs = bare.match(/../g) ?? [];
    add('no-separators', bare.toLowerCase());
    add('no-separators-upper', bare.toUpperCase());
    add('colons', pairs.join(':').toLowerCase());
    add('colons-upper', pairs.join(':').toUpperCase());
    add('dashes', pairs.join('-').toLowerCase());
    add('dashes-upper', pairs.join('-').toUpperCase());
  } else if (UUID_RE.test(base)) {
    add('no-separators', base.replace(/-/g, '').toLowerCase());
    add('no-separators-upper', base.replace(/-/g, '').toUpperCase());
  }
  if (dataType === 'phone-number' || /^\+\d{7,}$/.test(base)) {
    const digits = base.replace(/[^\d]/g, '');
    add('digits', digits);
    // Without the country calling code (1-3 digits) when at least 7 digits remain.
    if (base.startsWith('+')) {
      for (const cc of [1, 2, 3]) if (digits.length - cc >= 7) add(`national-${cc}`, digits.slice(cc));
    }
  }
  return variants;
}

function valueForms(dataType: DataTypeId, value: string): IdentifierForm[] {
  const forms: IdentifierForm[] = [];
  const seen = new Set<string>();
  const push = (form: string, text: string) => {
    if (text.length < MIN_VALUE_LENGTH || seen.has(text)) return;
    seen.add(text);
    forms.push({ dataType, value, form, text, boundary: 'token' });
  };
  for (const [variant, text] of textVariants(dataType, value)) {
    const name = (encoding: string) => (variant === '' ? encoding : encoding === 'plain' ? variant : `${encoding}/${variant}`);
    push(name('plain'), text);
    push(name('url'), encodeURIComponent(text));
    push(name('form'), encodeURIComponent(text).replace(/%20/g, '+'));
    const utf8 = Buffer.from(text, 'utf8');
    const b64 = utf8.toString('base64');
    const b64url = utf8.toString('base64url');
    push(name('base64'), b64);
    push(name('base64-unpadded'), b64.replace(/=+$/, ''));
    push(name('base64url'), b64url + '='.repeat((4 - (b64url.length % 4)) % 4));
    push(name('base64url-unpadded'), b64url);
    // base64 inside a URL or form: '+', '/', '=' arrive percent-encoded.
    push(name('base64+url'), encodeURIComponent(b64));
    const hex = utf8.toString('hex');
    push(name('hex'), hex);
    push(name('hex-upper'), hex.toUpperCase());
    for (const algo of ['md5', 'sha1', 'sha256'] as const) {
      const digest = createHash(algo).update(utf8).digest('hex');
      push(name(algo), digest);
      push(name(`${algo}-upper`), digest.toUpperCase());
    }
  }
  return forms;
}

/**
 * Latitude/longitude to 2-6 decimals, both truncated (what `String.format("%.4f")` does not do
 * but substring-based SDKs do) and rounded half away from zero (what printf/DecimalFormat do).
 */
function locationForms(value: string): IdentifierForm[] {
  const m = COORDS_RE.exec(value);
  if (!m) return [];
  const forms: IdentifierForm[] = [];
  const seen = new Set<string>();
  for (const [coordinate, text] of [['lat', m[1]!], ['lon', m[2]!]] as const) {
    for (let places = 6; places >= 2; places -= 1) {
      const truncated = truncateDecimal(text, places);
      const rounded = roundDecimal(text, places);
      // A truncated form also matches longer decimals that agree to N places; if the rounded
      // form is the same text, the looser rule wins.
      for (const [form, t, boundary] of [
        [`decimal-${places}`, truncated, 'decimal-prefix'],
        [`decimal-${places}-rounded`, rounded, 'decimal-exact'],
      ] as const) {
        const key = `${coordinate}:${t}`;
        if (seen.has(key)) continue;
        seen.add(key);
        forms.push({ dataType: 'location', value, form, text: t, boundary, coordinate });
      }
    }
  }
  return forms;
}

/** "39.9042" to 6 places → "39.904200"; to 2 → "39.90". Works on the decimal text, no float error. */
export function truncateDecimal(text: string, places: number): string {
  const [int, frac = ''] = text.split('.');
  return `${int}.${frac.padEnd(places, '0').slice(0, places)}`;
}

/** Rounds half away from zero on the decimal text (no binary floating-point surprises). */
export function roundDecimal(text: string, places: number): string {
  const negative = text.startsWith('-');
  const [intRaw, frac = ''] = text.replace(/^-/, '').split('.');
  const padded = frac.padEnd(places + 1, '0');
  const digits = `${intRaw}${padded.slice(0, places)}`;
  let n = BigInt(digits);
  if (Number(padded[places]) >= 5) n += 1n;
  const s = n.toString().padStart(places + 1, '0');
  const out = `${s.slice(0, s.length - places)}.${s.slice(s.length - places)}`;
  return negative ? `-${out}` : out;
}

import { isUtf8 } from 'node:buffer';
import { constants, gunzipSync, inflateRawSync, inflateSync, type ZlibOptions } from 'node:zlib';

/**
 * Payloads that are themselves encoded: trackers routinely send `{"data":"eyJpbWVpIjoi..."}`,
 * a POST body that is one base64 blob (often of gzip), or `?p=<base64url JSON>`. Base64 works in
 * 3-byte groups, so an identifier at an arbitrary offset of the document has no fixed encoded
 * spelling: the only reliable way to find it is to decode the candidate and scan what it holds.
 *
 * A hit inside a decoded layer is evidence, so a layer only counts when it decoded *cleanly*:
 * canonical base64/hex, then (optionally inflated) valid UTF-8 text with almost no control
 * characters. Random bytes, images and ciphertext fail this at their first few bytes, which is
 * checked on a short prefix before anything large is decoded. Everything here reads
 * attacker-controlled bytes, so depth, decoded bytes and candidates are bounded per flow.
 */

export interface LayerLimits {
  /** Decoding steps of base64/hex stacked inside each other (a layer inside a layer...). */
  maxDepth: number;
  /** Decoded plus inflated bytes per flow; a larger layer is decoded as a prefix. */
  maxBytes: number;
  /** Candidate strings tried per flow (a body of thousands of ids must stay cheap). */
  maxCandidates: number;
}

export const DEFAULT_LAYER_LIMITS: LayerLimits = { maxDepth: 3, maxBytes: 4 * 1024 * 1024, maxCandidates: 20_000 };

/** What one flow may still spend on decoding; shared by all its containers and layers. */
export interface LayerBudget {
  readonly limits: LayerLimits;
  remainingBytes: number;
  remainingCandidates: number;
}

export function createLayerBudget(limits: LayerLimits = DEFAULT_LAYER_LIMITS): LayerBudget {
  return { limits, remainingBytes: limits.maxBytes, remainingCandidates: limits.maxCandidates };
}

export interface DecodedLayer {
  /** Decoding steps in the order they were undone: ["base64"], ["base64url", "gzip"], ["hex"]. */
  steps: string[];
  bytes: Buffer;
  /** Only a prefix was decoded (budget). */
  truncated: boolean;
}

/** Shorter candidates hold too little to carry a document (and base64 of a bare value is a form already). */
export const MIN_BASE64_LENGTH = 16;
export const MIN_HEX_LENGTH = 32;

/** Base64 of either alphabet; line breaks allowed inside (Android's Base64.DEFAULT wraps at 76). */
const TOKEN_RE = /[A-Za-z0-9+/_-]+(?:\r?\n[A-Za-z0-9+/_-]+)*(?:={1,2})?/g;
const SINGLE_TOKEN_RE = /^\s*[A-Za-z0-9+/_-]+(?:\r?\n[A-Za-z0-9+/_-]+)*(?:={1,2})?\s*$/;
const HEX_RE = /^[0-9a-fA-F]+$/;

/** Base64/base64url/hex candidates in a piece of text, in order. */
export function encodedTokens(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(TOKEN_RE)) if (m[0].length >= MIN_BASE64_LENGTH) out.push(m[0]);
  return out;
}

/** The whole text is one candidate (a body that is one blob). Checked without copying huge bodies twice. */
export function singleToken(bytes: Uint8Array): string | undefined {
  if (bytes.length < MIN_BASE64_LENGTH || !mayHideLayer(bytes)) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  return SINGLE_TOKEN_RE.test(text) ? text.trim() : undefined;
}

const TOKEN_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') TOKEN_BYTE[c.charCodeAt(0)] = 1;

/** True when the bytes hold a run of base64 characters that may start a blob `decodeLayer` accepts. */
export function mayHideLayer(bytes: Uint8Array): boolean {
  return someRun(bytes, true);
}

/**
 * Cheaper than parsing a body to look at its leaves: true when some run of base64 characters
 * starts like a clean encoding (its first 16 characters decode to clean text or to a gzip/zlib
 * header, as base64 or as hex). A blob in a JSON string or a header starts a run, so this sees
 * every blob `decodeLayer` would accept except raw deflate, which has no header to tell it from
 * random bytes (a JSON body holding only that is not parsed for it); ids, digests, images and
 * ciphertext fail it.
 */
export function mayHoldEncodedDocument(bytes: Uint8Array): boolean {
  return someRun(bytes, false);
}

function someRun(bytes: Uint8Array, rawDeflate: boolean): boolean {
  let start = -1;
  for (let i = 0; i <= bytes.length; i += 1) {
    if (i < bytes.length && TOKEN_BYTE[bytes[i]!] === 1) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0 && i - start >= MIN_BASE64_LENGTH && runStartsClean(bytes, start, i, rawDeflate)) return true;
    start = -1;
  }
  return false;
}

const RUN_PROBE = Buffer.alloc(16);

/**
 * The first 16 characters of a run (12 bytes as base64, 16 as hex when the run is hex) start
 * clean text or a gzip/zlib header; with `rawDeflate`, a long run may also be raw deflate.
 * Decoded by hand into one small buffer: this runs on every run of every request.
 */
function runStartsClean(bytes: Uint8Array, start: number, end: number, rawDeflate: boolean): boolean {
  // base64 (either alphabet): 16 characters are 12 bytes
  let ok = true;
  for (let g = 0; g < 4 && ok; g += 1) {
    let v = 0;
    for (let k = 0; k < 4; k += 1) {
      const c = B64_VALUE[bytes[start + g * 4 + k]!] ?? -1;
      if (c < 0) ok = false;
      v = (v << 6) | (c & 0x3f);
    }
    RUN_PROBE[g * 3] = v >> 16;
    RUN_PROBE[g * 3 + 1] = (v >> 8) & 0xff;
    RUN_PROBE[g * 3 + 2] = v & 0xff;
  }
  if (ok && startsClean(RUN_PROBE.subarray(0, 12))) return true;
  if (ok && rawDeflate && end - start >= MIN_DEFLATE_CHARS && plausibleDeflate(RUN_PROBE.subarray(0, 12))) return true;
  if (end - start < MIN_HEX_LENGTH) return false;
  for (let k = 0; k < 16; k += 1) {
    const hi = HEX_VALUE[bytes[start + 2 * k]!]!;
    const lo = HEX_VALUE[bytes[start + 2 * k + 1]!]!;
    if (hi < 0 || lo < 0) return false;
    RUN_PROBE[k] = (hi << 4) | lo;
  }
  return startsClean(RUN_PROBE) || (rawDeflate && end - start >= 2 * MIN_DEFLATE_BYTES && plausibleDeflate(RUN_PROBE));
}

/** Clean text, or a gzip or zlib header. */
function startsClean(head: Buffer): boolean {
  if (head[0] === 0x1f && head[1] === 0x8b) return true;
  if ((head[0]! & 0x0f) === 8 && head[0]! >> 4 <= 7 && ((head[0]! << 8) | head[1]!) % 31 === 0) return true;
  return isCleanText(withoutPartialUtf8(head));
}

const HEX_VALUE = new Int8Array(256).fill(-1);
'0123456789abcdef'.split('').forEach((c, i) => {
  HEX_VALUE[c.charCodeAt(0)] = i;
  HEX_VALUE[c.toUpperCase().charCodeAt(0)] = i;
});

type Alphabet = 'hex' | 'base64' | 'base64url';

/**
 * Decodes one candidate when it is a clean encoding of text (see the module comment), within
 * the budget; undefined otherwise. Charges the budget for what it decoded.
 */
export function decodeLayer(token: string, budget: LayerBudget): DecodedLayer | undefined {
  if (budget.remainingCandidates <= 0 || budget.remainingBytes <= 0) return undefined;
  budget.remainingCandidates -= 1;
  const compact = /[\r\n]/.test(token) ? token.replace(/[\r\n]/g, '') : token;
  if (compact.length < MIN_BASE64_LENGTH) return undefined;
  // The cheap look first (no allocation but one small buffer): most candidates are ids.
  const head = Buffer.from(compact.slice(0, MIN_HEX_LENGTH), 'latin1');
  if (!runStartsClean(head, 0, compact.length, true)) return undefined;
  for (const alphabet of alphabets(compact)) {
    const layer = decodeAs(compact, alphabet, budget);
    if (layer) return layer;
  }
  return undefined;
}

function alphabets(s: string): Alphabet[] {
  const out: Alphabet[] = [];
  if (s.length >= MIN_HEX_LENGTH && s.length % 2 === 0 && HEX_RE.test(s)) out.push('hex');
  const body = s.replace(/=+$/, '');
  const padded = body.length !== s.length;
  if (body.length < MIN_BASE64_LENGTH || body.length % 4 === 1 || (padded && s.length % 4 !== 0) || !canonicalTail(body)) return out;
  const std = /[+/]/.test(body);
  const url = /[-_]/.test(body);
  if (std && url) return out; // two alphabets mixed: not base64
  out.push(url ? 'base64url' : 'base64');
  return out;
}

const B64_VALUE = new Int8Array(128).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (B64_VALUE[c.charCodeAt(0)] = i));
B64_VALUE['-'.charCodeAt(0)] = 62;
B64_VALUE['_'.charCodeAt(0)] = 63;

/** RFC 4648 §3.5: an encoder leaves the unused bits of the last character zero. Random strings rarely do. */
function canonicalTail(body: string): boolean {
  const rest = body.length % 4;
  if (rest === 0) return true;
  const last = B64_VALUE[body.charCodeAt(body.length - 1)] ?? -1;
  return rest === 2 ? (last & 0x0f) === 0 : (last & 0x03) === 0;
}

/** Decodes whole groups of the encoding, at most `maxBytes` of output. */
function decodePrefix(s: string, alphabet: Alphabet, maxBytes: number): { bytes: Buffer; truncated: boolean } {
  if (alphabet === 'hex') {
    const chars = Math.min(s.length, maxBytes * 2);
    return { bytes: Buffer.from(s.slice(0, chars), 'hex'), truncated: chars < s.length };
  }
  const body = s.replace(/=+$/, '');
  const chars = Math.min(body.length, Math.floor(maxBytes / 3) * 4);
  return { bytes: Buffer.from(body.slice(0, chars), alphabet), truncated: chars < body.length };
}

/** How many bytes the quick look at the start of a candidate decodes. */
const PROBE_BYTES = 48;

type Compression = 'gzip' | 'zlib' | 'deflate';

function decodeAs(s: string, alphabet: Alphabet, budget: LayerBudget): DecodedLayer | undefined {
  // A short look first: an image, ciphertext or random id is rejected before anything big is decoded.
  const probe = decodePrefix(s, alphabet, PROBE_BYTES);
  const compression = compressionOf(probe.bytes, probe.truncated ? withoutPartialUtf8(probe.bytes) : probe.bytes, decodedLength(s, alphabet));
  if (compression === 'none') return undefined;

  const decoded = decodePrefix(s, alphabet, budget.remainingBytes);
  budget.remainingBytes -= decoded.bytes.length;
  let bytes = decoded.bytes;
  const truncated = decoded.truncated;
  const steps: string[] = [alphabet];
  if (compression) {
    const inflated = inflateBounded(compression, bytes, budget.remainingBytes);
    if (!inflated) return undefined;
    budget.remainingBytes -= inflated.length;
    bytes = inflated;
    steps.push(compression);
    // Raw deflate has no header to recognise it by: only a structured document counts.
    if (compression === 'deflate' && !/^\s*[{[]/.test(bytes.subarray(0, 64).toString('latin1'))) return undefined;
  }
  const text = truncated ? withoutPartialUtf8(bytes) : bytes;
  if (text.length === 0 || !isCleanText(text)) return undefined;
  return { steps, bytes: text, truncated };
}

/** Raw deflate is only tried on a blob this large: ids and digests are shorter, documents are not. */
const MIN_DEFLATE_BYTES = 64;
const MIN_DEFLATE_CHARS = Math.ceil((MIN_DEFLATE_BYTES * 4) / 3);

/**
 * What the start of a candidate is: RFC 1952 (gzip magic) or RFC 1950 (zlib header check)
 * whose start inflates to clean text; clean text itself (undefined: no compression); raw
 * deflate (no header to recognise it by) whose start inflates to a JSON document; or 'none' of
 * these. zlib is only called when the cheap checks leave a chance: most candidates are ids.
 */
function compressionOf(probe: Buffer, head: Buffer, size: number): Compression | 'none' | undefined {
  if (probe.length < 2) return 'none';
  let kind: Compression;
  if (probe[0] === 0x1f && probe[1] === 0x8b) kind = 'gzip';
  else if ((probe[0]! & 0x0f) === 8 && probe[0]! >> 4 <= 7 && ((probe[0]! << 8) | probe[1]!) % 31 === 0) kind = 'zlib';
  else if (isCleanText(head)) return undefined;
  else if (size >= MIN_DEFLATE_BYTES && plausibleDeflate(probe)) kind = 'deflate';
  else return 'none';
  // Deflate expands at most ~1032:1, so a probe's output always fits in 64 KiB.
  const inflated = inflateBounded(kind, probe, 64 * 1024);
  if (!inflated) return 'none';
  if (kind === 'deflate') return /^\s*[{[]/.test(inflated.toString('latin1')) ? kind : 'none';
  const text = withoutPartialUtf8(inflated);
  // A gzip header with a long file name may leave nothing inflated yet: undecided, try it whole.
  return text.length === 0 || isCleanText(text) ? kind : 'none';
}

/** RFC 1951 §3.2.3-4: block type 3 is invalid; a stored block's LEN and NLEN are complements. */
function plausibleDeflate(probe: Buffer): boolean {
  const type = (probe[0]! >> 1) & 0x03;
  if (type === 3) return false;
  if (type !== 0) return true;
  return probe.length >= 5 && (probe.readUInt16LE(1) ^ probe.readUInt16LE(3)) === 0xffff;
}

function decodedLength(s: string, alphabet: Alphabet): number {
  return alphabet === 'hex' ? s.length / 2 : Math.floor((s.replace(/=+$/, '').length * 3) / 4);
}

/** Inflates at most `max` bytes; a truncated stream keeps what decoded, a larger one is refused (bomb). */
function inflateBounded(compression: Compression, bytes: Buffer, max: number): Buffer | undefined {
  if (max <= 0) return undefined;
  const options: ZlibOptions = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: max };
  try {
    if (compression === 'gzip') return gunzipSync(bytes, options);
    if (compression === 'zlib') return inflateSync(bytes, options);
    return inflateRawSync(bytes, options);
  } catch {
    return undefined;
  }
}

/**
 * Valid UTF-8 with at most one control character (other than tab, CR, LF) per 64 bytes: text a
 * program wrote, possibly with a NUL terminator or record separators, never random bytes.
 */
export function isCleanText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let controls = 0;
  const allowed = Math.floor(bytes.length / 64);
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i]!;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
      controls += 1;
      if (controls > allowed) return false;
    }
  }
  return isUtf8(bytes);
}

/** Drops a UTF-8 sequence cut off at the end of a prefix, so a cut is not taken for bad text. */
function withoutPartialUtf8(bytes: Buffer): Buffer {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const b = bytes[bytes.length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? bytes.subarray(0, bytes.length - back) : bytes;
    }
    return bytes;
  }
  return bytes;
}

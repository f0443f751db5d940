import { analyse } from 'chardet';
import { InputError } from '../../core/errors.js';

export interface DecodedText {
  text: string;
  /** The WHATWG name of the encoding used (TextDecoder's `encoding`): utf-8, gbk, gb18030, big5... */
  encoding: string;
  /** How it was chosen: a byte-order mark, the document's own declaration, or detection. */
  how: 'bom' | 'declared' | 'detected';
}

/**
 * Policies saved from Chinese sites are often GBK, GB18030 or Big5, sometimes UTF-16 from Windows
 * editors; reading them as UTF-8 gives mojibake that declares nothing (or, worse, random matches).
 * Order, as browsers do it: byte-order mark, then what the document declares (<meta charset>,
 * http-equiv content type, XML declaration), then detection. A declaration the bytes contradict is
 * ignored rather than trusted (pages saved as GBK often still say utf-8).
 *
 * Bytes that are no text at all (a binary, an image, random data) are refused here, before any
 * extraction can "find" words in them: NUL bytes, invalid sequences in every candidate encoding,
 * or too many control characters.
 */
export function decodePolicyBytes(bytes: Uint8Array, file: string): DecodedText {
  const unicode = unicodeByMark(bytes);
  if (unicode) {
    const text = tryDecode(bytes, unicode.encoding);
    if (text === undefined) throw notText(file, `it starts like ${unicode.encoding.toUpperCase()} text but its bytes are not valid ${unicode.encoding.toUpperCase()}`);
    return checked({ text, encoding: unicode.encoding, how: unicode.how }, file);
  }
  const magic = binarySignature(bytes);
  if (magic) throw notText(file, `it starts like ${magic}; save the policy as HTML or text`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw notText(file, `it contains a NUL byte (offset ${nul}), which no text encoding of a policy has`);

  const declared = declaredCharset(bytes);
  // Valid UTF-8 beyond ASCII is almost never legacy CJK by accident, while a page re-saved as UTF-8
  // that keeps its old <meta charset=gbk> is common: UTF-8 that decodes wins over a declaration.
  const utf8 = tryDecode(bytes, 'utf-8');
  if (utf8 !== undefined) return checked({ text: utf8, encoding: 'utf-8', how: declared === 'utf-8' ? 'declared' : 'detected' }, file);
  if (declared) {
    const text = tryDecode(bytes, declared);
    if (text !== undefined) return checked({ text, encoding: declared, how: 'declared' }, file);
  }

  const candidates = candidateEncodings(bytes);
  const multiByte = candidates.filter((e) => !isSingleByte(e));
  for (const encoding of multiByte) {
    const text = tryDecode(bytes, encoding);
    if (text !== undefined) return checked({ text, encoding, how: 'detected' }, file);
  }
  // A download cut mid-character or one stray byte should not cost the whole policy: accept the
  // declared encoding (else UTF-8, else the best guess) with a few replaced characters.
  for (const encoding of new Set([...(declared ? [declared] : []), 'utf-8', ...multiByte])) {
    const text = new TextDecoder(encoding).decode(bytes);
    if (replacements(text) <= Math.max(1, text.length * MAX_REPLACED_SHARE)) {
      return checked({ text, encoding, how: declared === encoding ? 'declared' : 'detected' }, file);
    }
  }
  // Single-byte encodings decode any bytes at all; only the control-character check tells text.
  for (const encoding of candidates.filter(isSingleByte)) {
    const text = tryDecode(bytes, encoding);
    if (text !== undefined) return checked({ text, encoding, how: 'detected' }, file);
  }
  throw notText(file, `its bytes are not valid in any encoding tried (${FALLBACK_ENCODINGS.join(', ')}, or one the file declares)`);
}

/** Replaced characters tolerated when no encoding decodes the file strictly. */
const MAX_REPLACED_SHARE = 0.001;

function replacements(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\ufffd'); i >= 0; i = text.indexOf('\ufffd', i + 1)) n++;
  return n;
}

function isSingleByte(encoding: string): boolean {
  return /^(?:windows-\d+|iso-8859-\d+|koi8-[ru]|ibm866|macintosh|x-mac-cyrillic)$/u.test(encoding);
}

/** Multi-byte encodings of the policies we meet, tried when detection's suggestions all fail. */
const FALLBACK_ENCODINGS = ['utf-8', 'gb18030', 'big5', 'shift_jis', 'euc-kr'];

/** How much of the file the detector looks at: enough for its statistics, bounded for 16 MB files. */
const DETECTION_SAMPLE = 64 * 1024;

/**
 * Encodings to try, best first: the detector's suggestions by confidence (chardet, statistical:
 * it is what tells GBK from Big5, whose byte ranges overlap), then the fixed multi-byte list.
 */
function candidateEncodings(bytes: Uint8Array): string[] {
  const suggested = analyse(bytes.subarray(0, DETECTION_SAMPLE))
    .filter((m) => m.confidence >= 10)
    .map((m) => whatwgName(m.name))
    .filter((name): name is string => name !== undefined);
  return [...new Set([...suggested, ...FALLBACK_ENCODINGS])];
}

/** The WHATWG encoding a label names, or undefined when TextDecoder does not know it. */
function whatwgName(label: string): string | undefined {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
}

function tryDecode(bytes: Uint8Array, encoding: string): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * A byte-order mark, or (without one) UTF-16 markup: "<" then a NUL, as the XML specification's
 * appendix F detects it. Such files legitimately hold NUL bytes, so this comes before that check.
 */
function unicodeByMark(b: Uint8Array): { encoding: string; how: 'bom' | 'detected' } | undefined {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', how: 'bom' };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', how: 'bom' };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', how: 'bom' };
  if (b.length >= 4 && b[0] === 0x3c && b[1] === 0 && b[2] !== 0 && b[3] === 0) return { encoding: 'utf-16le', how: 'detected' };
  if (b.length >= 4 && b[0] === 0 && b[1] === 0x3c && b[2] === 0 && b[3] !== 0) return { encoding: 'utf-16be', how: 'detected' };
  return undefined;
}

/** Files people mistake for a policy page; named so the error says what to do instead. */
const SIGNATURES: [string, number[]][] = [
  ['a PDF file', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['a ZIP archive (or a .docx/.apk)', [0x50, 0x4b, 0x03, 0x04]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38]],
  ['a gzip archive', [0x1f, 0x8b]],
  ['an ELF executable', [0x7f, 0x45, 0x4c, 0x46]],
  ['a legacy Office document', [0xd0, 0xcf, 0x11, 0xe0]],
];

function binarySignature(bytes: Uint8Array): string | undefined {
  return SIGNATURES.find(([, sig]) => sig.every((byte, i) => bytes[i] === byte))?.[0];
}

/** Where a document says its charset: only the head of the file, as browsers' prescan does. */
const PRESCAN_BYTES = 8192;
const XML_DECLARATION = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']\s*([\w.:-]+)/iu;
// One pattern for <meta charset="gbk"> and <meta http-equiv="Content-Type" content="text/html; charset=gbk">.
const META_CHARSET = /<meta\s[^>]*?\bcharset\s*=\s*["']?\s*([\w.:-]+)/iu;

/** The encoding the document declares, as a WHATWG name; undefined when absent or unknown. */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, PRESCAN_BYTES))
    .toString('latin1')
    .replace(/<!--[\s\S]*?-->/gu, '');
  const label = XML_DECLARATION.exec(head)?.[1] ?? META_CHARSET.exec(head)?.[1];
  if (!label) return undefined;
  const name = whatwgName(label);
  // As in the HTML standard: a page read byte by byte as ASCII cannot really be UTF-16.
  if (name === 'utf-16le' || name === 'utf-16be') return 'utf-8';
  return name;
}

/**
 * Control characters other than tab, line and page breaks: text has almost none, binary data
 * decoded as a single- or multi-byte encoding has many (about one in ten for random bytes).
 */
function isControl(c: number): boolean {
  return c <= 0x08 || (c >= 0x0e && c <= 0x1f) || (c >= 0x7f && c <= 0x9f);
}
const MAX_CONTROL_SHARE = 0.01;

function checked(decoded: DecodedText, file: string): DecodedText {
  const { text } = decoded;
  let controls = 0;
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) controls++;
  if (text.includes('\u0000')) throw notText(file, `it contains NUL characters (read as ${decoded.encoding})`);
  if (controls >= 2 && controls / text.length > MAX_CONTROL_SHARE) {
    throw notText(file, `${controls} of its ${text.length} characters (read as ${decoded.encoding}) are control characters`);
  }
  return decoded;
}

function notText(file: string, why: string): InputError {
  return new InputError('POLICY_NOT_TEXT', `not a text document: ${why}`, { file, field: 'content' });
}

/**
 * Splits a request body into labelled leaves (JSON values, form fields, multipart parts,
 * protobuf fields) so a hit can say *where* in the body an identifier was: "body:json:$.dev.imei"
 * tells an investigator far more than "body". Every parser here reads attacker-controlled bytes:
 * depth, leaf count and sizes are bounded, and a parse failure just means "no finer location".
 */

export interface BodyLeaf {
  /** Location suffix after "body:", e.g. "json:$.a[0].b", "form:uid", "protobuf:1.3". */
  label: string;
  bytes: Uint8Array;
  /** The still-encoded spelling of a field also given decoded (form and query values). */
  encodedTwin?: boolean;
}

const MAX_LEAVES = 20_000;
const MAX_DEPTH = 32;

export type BodyKind = 'json' | 'form' | 'multipart' | 'protobuf' | 'grpc' | 'other';

export function bodyKind(contentType: string | undefined, bytes: Uint8Array): BodyKind {
  const ct = (contentType ?? '').toLowerCase();
  if (ct.includes('json')) return 'json';
  if (ct.includes('x-www-form-urlencoded')) return 'form';
  if (ct.startsWith('multipart/')) return 'multipart';
  if (ct.startsWith('application/grpc')) return 'grpc';
  if (ct.includes('protobuf') || ct.includes('x-proto')) return 'protobuf';
  const first = firstNonSpace(bytes);
  if (first === 0x7b || first === 0x5b) return 'json';
  if (!ct || ct.includes('octet-stream')) {
    if (looksLikeText(bytes)) return /^[\w.%-]+=[^&]*(&[\w.%-]+=[^&]*)*$/.test(Buffer.from(bytes).toString('latin1')) ? 'form' : 'other';
    return 'protobuf';
  }
  return 'other';
}

export function bodyLeaves(kind: BodyKind, bytes: Uint8Array, contentType?: string): BodyLeaf[] {
  try {
    switch (kind) {
      case 'json':
        return jsonLeaves(Buffer.from(bytes).toString('utf8'));
      case 'form':
        return formLeaves(Buffer.from(bytes).toString('latin1')).map((l) => ({ ...l, label: `form:${l.label}` }));
      case 'multipart':
        return multipartLeaves(bytes, contentType ?? '');
      case 'protobuf':
        return protobufLeaves(bytes);
      case 'grpc':
        return grpcLeaves(bytes);
      default:
        return [];
    }
  } catch {
    return [];
  }
}

/** JSON leaves with JSONPath-like labels; numbers keep their JSON spelling via String(). */
export function jsonLeaves(text: string): BodyLeaf[] {
  const leaves: BodyLeaf[] = [];
  const root: unknown = JSON.parse(text);
  const walk = (node: unknown, path: string, depth: number) => {
    if (leaves.length >= MAX_LEAVES || depth > MAX_DEPTH) return;
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      leaves.push({ label: `json:${path}`, bytes: Buffer.from(String(node), 'utf8') });
      // A JSON document inside a string is common (SDK envelopes): walk it too.
      if (typeof node === 'string' && /^\s*[{[]/.test(node)) {
        try {
          walk(JSON.parse(node), path, depth + 1);
        } catch {
          // not JSON after all
        }
      }
    } else if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${path}[${i}]`, depth + 1));
    } else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        const child = /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`;
        // Identifiers used as keys ({"<imei>": {...}}) are labelled with the member they name.
        leaves.push({ label: `json:${child}`, bytes: Buffer.from(k, 'utf8') });
        walk(v, child, depth + 1);
      }
    }
  };
  walk(root, '$', 0);
  return leaves;
}

/** `a=1&b=2` fields, decoded (form rules: '+' is a space). The raw value is kept too. */
export function formLeaves(text: string): BodyLeaf[] {
  const leaves: BodyLeaf[] = [];
  for (const pair of text.split('&')) {
    if (leaves.length >= MAX_LEAVES) break;
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    const name = safeDecode(rawName);
    const decoded = safeDecode(rawValue);
    leaves.push({ label: name, bytes: Buffer.from(decoded, 'utf8') });
    if (decoded !== rawValue) leaves.push({ label: name, bytes: Buffer.from(rawValue, 'latin1'), encodedTwin: true });
  }
  return leaves;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** RFC 7578 parts, labelled by their form-data name (or index). */
export function multipartLeaves(bytes: Uint8Array, contentType: string): BodyLeaf[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) return [];
  const buf = Buffer.from(bytes);
  const delimiter = Buffer.from(`--${boundary}`);
  const leaves: BodyLeaf[] = [];
  let pos = buf.indexOf(delimiter);
  let index = 0;
  while (pos >= 0 && leaves.length < MAX_LEAVES) {
    const start = pos + delimiter.length;
    if (buf[start] === 0x2d && buf[start + 1] === 0x2d) break; // closing delimiter
    const next = buf.indexOf(delimiter, start);
    const part = buf.subarray(start, next < 0 ? buf.length : next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('latin1');
      const name = /name="([^"]*)"/i.exec(headers)?.[1] ?? String(index);
      let body = part.subarray(headerEnd + 4);
      if (body.length >= 2 && body[body.length - 2] === 0x0d && body[body.length - 1] === 0x0a) body = body.subarray(0, -2);
      leaves.push({ label: `multipart:${name}`, bytes: body });
    }
    index += 1;
    pos = next;
  }
  return leaves;
}

/**
 * Protobuf wire format (protobuf.dev/programming-guides/encoding): every length-delimited field
 * is either text (a leaf) or a nested message (walked). Fixed64/fixed32 fields are also given
 * as decimal text, so a latitude sent as a double is still found.
 */
export function protobufLeaves(bytes: Uint8Array): BodyLeaf[] {
  const leaves: BodyLeaf[] = [];
  if (!walkMessage(bytes, '', 0, leaves)) return leaves.length > 0 ? leaves : [];
  return leaves;
}

function walkMessage(bytes: Uint8Array, prefix: string, depth: number, leaves: BodyLeaf[]): boolean {
  if (depth > MAX_DEPTH) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const found: BodyLeaf[] = [];
  while (pos < bytes.length) {
    const tag = readVarint(bytes, pos);
    if (!tag) return false;
    pos = tag.next;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    if (field < 1 || field > 536_870_911) return false;
    const label = prefix ? `${prefix}.${field}` : String(field);
    if (wire === 0) {
      const v = readVarint(bytes, pos);
      if (!v) return false;
      pos = v.next;
    } else if (wire === 1) {
      if (pos + 8 > bytes.length) return false;
      found.push({ label: `protobuf:${label}`, bytes: Buffer.from(String(view.getFloat64(pos, true))) });
      pos += 8;
    } else if (wire === 5) {
      if (pos + 4 > bytes.length) return false;
      found.push({ label: `protobuf:${label}`, bytes: Buffer.from(String(Number(view.getFloat32(pos, true).toPrecision(7)))) });
      pos += 4;
    } else if (wire === 2) {
      const len = readVarint(bytes, pos);
      if (!len || len.next + len.value > bytes.length) return false;
      const inner = bytes.subarray(len.next, len.next + len.value);
      pos = len.next + len.value;
      if (looksLikeText(inner) || !walkMessage(inner, label, depth + 1, found)) {
        found.push({ label: `protobuf:${label}`, bytes: inner });
      }
    } else {
      return false; // groups (3/4) are long deprecated; 6/7 are invalid
    }
    if (found.length > MAX_LEAVES) return false;
  }
  leaves.push(...found);
  return true;
}

function readVarint(bytes: Uint8Array, start: number): { value: number; next: number } | undefined {
  let value = 0;
  let mul = 1;
  for (let i = start; i < bytes.length && i < start + 10; i += 1) {
    const b = bytes[i]!;
    value += (b & 0x7f) * mul;
    mul *= 128;
    if ((b & 0x80) === 0) return { value, next: i + 1 };
  }
  return undefined;
}

/** gRPC over HTTP/2: 5-byte frames (flag, length) around protobuf messages. */
function grpcLeaves(bytes: Uint8Array): BodyLeaf[] {
  const leaves: BodyLeaf[] = [];
  let pos = 0;
  let n = 0;
  while (pos + 5 <= bytes.length) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + pos + 1, 4).getUint32(0);
    const msg = bytes.subarray(pos + 5, Math.min(bytes.length, pos + 5 + len));
    for (const leaf of protobufLeaves(msg)) leaves.push({ label: leaf.label.replace('protobuf:', `grpc:${n}.`), bytes: leaf.bytes });
    pos += 5 + len;
    n += 1;
  }
  return leaves;
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < bytes.length && i < 64; i += 1) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return b;
  }
  return undefined;
}

/** Valid UTF-8 with no control bytes other than whitespace. */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return true;
  for (let i = 0; i < bytes.length; i += 1) {
    const b = bytes[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return false;
    if (b === 0x7f) return false;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

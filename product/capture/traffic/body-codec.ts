import { Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';

/**
 * Removes Content-Encoding (RFC 9110 §8.4) so bodies are stored and scanned as the app meant
 * them. Apps are untrusted: output is capped (absolute size) and a decompression bomb (an
 * expansion ratio no real payload has) is stopped early; a corrupt or truncated stream keeps
 * what was decoded before the damage, flagged, because a partial body still shows identifiers.
 */

export interface BodyLimits {
  /** Cap on stored (decoded) bytes. */
  maxBytes: number;
  /** Stop when decoded/encoded exceeds this, once past `ratioFloorBytes`. */
  maxRatio: number;
  /** Small bodies may legitimately expand a lot (a page of spaces): the ratio applies beyond this. */
  ratioFloorBytes: number;
}

export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 16 * 1024 * 1024, maxRatio: 200, ratioFloorBytes: 1024 * 1024 };

export interface DecodedBody {
  bytes: Buffer;
  /** The Content-Encoding that was removed ("gzip", "br, gzip"...). */
  decodedFrom?: string;
  truncated?: boolean;
  decodeError?: string;
}

const DECODERS: Record<string, (() => Transform) | undefined> = {
  gzip: () => createGunzip(),
  'x-gzip': () => createGunzip(),
  deflate: () => createInflate(),
  br: () => createBrotliDecompress(),
};

export async function decodeBody(raw: Buffer, contentEncoding: string | undefined, limits: BodyLimits = DEFAULT_BODY_LIMITS): Promise<DecodedBody> {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
  if (codings.length === 0 || raw.length === 0) return cap(raw, limits.maxBytes);
  const unsupported = codings.find((c) => !DECODERS[c]);
  if (unsupported) return { ...cap(raw, limits.maxBytes), decodeError: `unsupported content-encoding "${unsupported}"; stored as sent` };

  let bytes = raw;
  // Codings are listed in the order they were applied; undo them last to first.
  for (const coding of [...codings].reverse()) {
    let step = await inflate(coding, bytes, raw.length, limits);
    // "deflate" is zlib-wrapped by the RFC, but some servers and SDKs send raw deflate.
    if (coding === 'deflate' && step.error && step.bytes.length === 0) {
      const rawStep = await inflate('deflate-raw', bytes, raw.length, limits);
      if (!rawStep.error || rawStep.bytes.length > 0) step = rawStep;
    }
    if (step.error && step.bytes.length === 0 && !step.stopped) {
      // Nothing decodable at all: keep what the app sent.
      return { ...cap(raw, limits.maxBytes), decodeError: `${coding}: ${step.error}; stored as sent` };
    }
    bytes = step.bytes;
    if (step.error || step.stopped) {
      return { bytes, decodedFrom: codings.join(', '), truncated: true, decodeError: `${coding}: ${step.error ?? step.stopped}` };
    }
  }
  return { bytes, decodedFrom: codings.join(', ') };
}

function cap(bytes: Buffer, max: number): DecodedBody {
  return bytes.length > max ? { bytes: bytes.subarray(0, max), truncated: true } : { bytes };
}

interface InflateResult {
  bytes: Buffer;
  error?: string;
  /** Why decoding was stopped on purpose (size cap, bomb guard). */
  stopped?: string;
}

async function inflate(coding: string, input: Buffer, encodedSize: number, limits: BodyLimits): Promise<InflateResult> {
  const decoder = coding === 'deflate-raw' ? createInflateRaw() : DECODERS[coding]!();
  const chunks: Buffer[] = [];
  let size = 0;
  const source = Readable.from([input]);
  return new Promise<InflateResult>((resolve) => {
    let settled = false;
    const done = (result: Omit<InflateResult, 'bytes'>) => {
      if (settled) return;
      settled = true;
      source.unpipe(decoder);
      source.destroy();
      decoder.destroy();
      resolve({ bytes: Buffer.concat(chunks).subarray(0, limits.maxBytes), ...result });
    };
    decoder.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > limits.maxBytes) {
        done({ stopped: `decoded body exceeds the ${limits.maxBytes}-byte cap` });
      } else if (size > limits.ratioFloorBytes && size > encodedSize * limits.maxRatio) {
        done({ stopped: `decompression bomb guard: expanded more than ${limits.maxRatio}x` });
      }
    });
    decoder.on('end', () => done({}));
    decoder.on('error', (e: Error) => done({ error: describeZlibError(e) }));
    source.pipe(decoder);
  });
}

function describeZlibError(e: Error & { code?: string }): string {
  if (e.code === 'Z_BUF_ERROR' || /unexpected end/i.test(e.message)) return 'stream is truncated (unexpected end of data)';
  return e.message;
}

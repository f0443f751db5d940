import { z } from 'zod';
import { Flow } from '../../contracts/bundle-schema.js';

/**
 * What a capture adapter hands to the recorder: one HTTP exchange, WebSocket session or TLS
 * failure, with bodies exactly as they crossed the wire (still content-encoded). This is the
 * plain, serialisable *definition* that crosses the mitmproxy→Node bridge as one JSON line;
 * the recorder turns it into a bundle `Flow`. Both adapters produce it, so both produce the
 * same flows.
 */

const HeaderPair = z.tuple([z.string(), z.string()]);
const Millis = z.number().finite().nonnegative();
/** Base64 on the wire (JSON), bytes in memory. */
const Bytes = z.union([z.instanceof(Buffer), z.string().transform((s) => Buffer.from(s, 'base64'))]);

export const TLS_FAILURE_CAUSES = [
  /** The client sent a TLS alert about our certificate: CA not trusted, or pinned. */
  'cert-rejected',
  /** The handshake completed, then the client closed without a request (OkHttp/Node pin checks). */
  'closed-after-handshake',
  'closed-during-handshake',
  'reset',
  'no-shared-cipher',
  'protocol-mismatch',
  'handshake-timeout',
  'unknown',
] as const;
export const TlsFailureCause = z.enum(TLS_FAILURE_CAUSES);
export type TlsFailureCause = z.infer<typeof TlsFailureCause>;

const EXPLANATION: Record<TlsFailureCause, string> = {
  'cert-rejected': 'the client refused the capture certificate (pinned, or the capture CA is not trusted)',
  'closed-after-handshake': 'the client closed the connection right after the handshake without sending a request (pinned, or the capture CA is not trusted)',
  'closed-during-handshake': 'the client closed the connection during the handshake (pinned, or the capture CA is not trusted)',
  reset: 'the client reset the connection during the handshake (often how a client refuses a certificate it does not trust)',
  'no-shared-cipher': 'the client and the proxy share no cipher suite',
  'protocol-mismatch': 'the client and the proxy cannot agree on a TLS version',
  'handshake-timeout': 'the TLS handshake timed out',
  unknown: 'the TLS handshake with the client failed',
};

/** The text stored in Flow.tls.error: a stable cause first, then one sentence. */
export function tlsErrorText(cause: TlsFailureCause): string {
  return `${cause}: ${EXPLANATION[cause]}`;
}

export const CapturedExchange = z.object({
  t: Millis,
  tEnd: Millis.optional(),
  // Addresses and scheme as the bundle's Flow records them.
  client: Flow.shape.client,
  server: Flow.shape.server,
  scheme: Flow.shape.scheme,
  tls: z
    .object({
      sni: z.string().optional(),
      alpn: z.string().optional(),
      version: z.string().optional(),
      failure: TlsFailureCause.optional(),
      /** The adapter's own words, for the log only (flows must not differ by adapter). */
      failureDetail: z.string().optional(),
    })
    .optional(),
  request: z
    .object({
      method: z.string(),
      url: z.string(),
      httpVersion: z.string().optional(),
      headers: z.array(HeaderPair),
      body: Bytes,
      /** The adapter cut (or dropped) a body larger than its cap before handing it over. */
      truncated: z.boolean().optional(),
    })
    .optional(),
  response: z
    .object({
      status: z.number().int(),
      reason: z.string().optional(),
      headers: z.array(HeaderPair),
      body: Bytes,
      truncated: z.boolean().optional(),
    })
    .optional(),
  websocket: z.array(z.object({ t: Millis, fromClient: z.boolean(), content: Bytes })).optional(),
  error: z.string().optional(),
  /** Process that opened the connection, when the adapter or device can tell. */
  origin: z.object({ uid: z.number().int().optional(), package: z.string().optional() }).optional(),
});
export type CapturedExchange = z.output<typeof CapturedExchange>;
/** What adapters may construct directly (bodies as Buffers). */
export type CapturedExchangeInput = z.input<typeof CapturedExchange>;

/** Both adapters spell URLs the same way: no default port in the authority. */
export function withoutDefaultPort(url: string): string {
  return url.replace(/^(https|wss):\/\/([^/?#]+?):443(?=[/?#]|$)/i, '$1://$2').replace(/^(http|ws):\/\/([^/?#]+?):80(?=[/?#]|$)/i, '$1://$2');
}

/** "1.1" / "HTTP/1.1" / "2.0" / "HTTP/2" → "HTTP/1.1" / "HTTP/2.0". */
export function httpVersionLabel(version: string | undefined): string | undefined {
  if (!version) return undefined;
  const bare = version.replace(/^HTTP\//i, '');
  return `HTTP/${bare === '2' ? '2.0' : bare}`;
}

import type { IdentifierHit } from '../../../contracts/bundle-schema.js';
import { bodyKind, bodyLeaves, type BodyKind, type BodyLeaf } from './body-structure.js';
import { decodeLayer, encodedTokens, mayHideLayer, singleToken, type LayerBudget } from './encoded-layers.js';
import type { IdentifierDetector } from './identifier-detector.js';

/**
 * Scans decoded layers of a container as containers of their own. A layer's location is the
 * place it was found plus one `|<step>` per decoding step undone, then the usual leaf suffix:
 * `body:json:$.data|base64:json:$.imei`, `body|base64|gzip:json:$.dev.aid`,
 * `url:query:p|base64url:json:$.oaid`, `header:x-info|hex`.
 */

export interface LayerContext {
  /** Shared by every container and layer of one flow. */
  budget: LayerBudget;
  /** Decoding steps above this container (0 for what the app sent as is). */
  depth: number;
}

export interface LayerSource {
  /** Where the candidates were found, e.g. "body:json:$.data" or "header:x-info". */
  location: string;
  tokens: string[];
}

/**
 * Candidates of one container: each leaf's base64/hex runs, or, for a container without
 * leaves (a header, a text body), its own runs. A structured body counts as a candidate only as
 * a whole (one blob), so a value is not reported again under a vaguer location.
 */
export function layerSources(location: string, whole: Uint8Array | undefined, leaves: readonly BodyLeaf[]): LayerSource[] {
  const sources: LayerSource[] = [];
  if (whole) {
    if (leaves.length > 0) {
      const token = singleToken(whole);
      if (token) sources.push({ location, tokens: [token] });
    } else if (mayHideLayer(whole)) {
      sources.push({ location, tokens: encodedTokens(latin1(whole)) });
    }
  }
  // A field that is one blob, decoded or as sent, is that blob: its pieces elsewhere (a '+' the
  // form decoding turned into a space, a '%2F' cutting the raw spelling) are not candidates.
  const blobs = new Map<string, string[]>();
  for (const leaf of leaves) {
    const token = leaf.label === 'path' ? undefined : singleToken(leaf.bytes);
    if (token) blobs.set(leaf.label, [...(blobs.get(leaf.label) ?? []), token]);
  }
  for (const leaf of leaves) {
    const single = blobs.get(leaf.label);
    if (single) {
      if (single.length > 0) sources.push({ location: `${location}:${leaf.label}`, tokens: single });
      blobs.set(leaf.label, []);
      continue;
    }
    if (leaf.encodedTwin) continue;
    // A decoded URL path has its '/' back: segments are the candidates, not the path.
    const bytes = leaf.label === 'path' ? Buffer.from(latin1(leaf.bytes).replace(/\//g, ' '), 'latin1') : leaf.bytes;
    if (mayHideLayer(bytes)) sources.push({ location: `${location}:${leaf.label}`, tokens: encodedTokens(latin1(bytes)) });
  }
  return sources;
}

export function scanLayers(detector: IdentifierDetector, sources: readonly LayerSource[], context: LayerContext): IdentifierHit[] {
  const { budget, depth } = context;
  if (depth >= budget.limits.maxDepth) return [];
  const out: IdentifierHit[] = [];
  const tried = new Set<string>();
  for (const source of sources) {
    for (const token of source.tokens) {
      // A form field is given decoded and as sent: the same blob twice is one candidate.
      const key = `${source.location}\u0000${token}`;
      if (tried.has(key)) continue;
      tried.add(key);
      const layer = decodeLayer(token, budget);
      // Base64/hex of the bare value is one of its forms, already reported where it was found.
      if (!layer || isWholeForm(detector, token)) continue;
      const kind = layerKind(layer.bytes);
      const container = detector.container(`${source.location}|${layer.steps.join('|')}`);
      container.write(layer.bytes);
      const hits = container.finish(() => bodyLeaves(kind, layer.bytes), {
        always: true,
        decoded: kind === 'form',
        whole: layer.bytes,
        layers: { budget, depth: depth + 1 },
      });
      out.push(...hits);
    }
  }
  return out;
}

function isWholeForm(detector: IdentifierDetector, token: string): boolean {
  if (token.length > detector.maxPatternLength + 4) return false; // + line breaks and padding
  const bytes = Buffer.from(token.replace(/\s+/g, ''), 'latin1');
  for (const span of detector.scanBytes(bytes).values()) if (span.start === 0 && span.end === bytes.length) return true;
  return false;
}

/** A decoded layer is clean text: JSON, a form, or just text (never guessed as protobuf). */
function layerKind(bytes: Uint8Array): BodyKind {
  const kind = bodyKind(undefined, bytes);
  return kind === 'json' || kind === 'form' ? kind : 'other';
}

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');

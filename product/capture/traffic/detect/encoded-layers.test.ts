import { createHash, randomBytes } from 'node:crypto';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createLayerBudget, decodeLayer, encodedTokens, isCleanText, mayHoldEncodedDocument, singleToken } from './encoded-layers.js';
import { prng } from '../test-support/synthetic-traffic.js';

const doc = JSON.stringify({ device: { imei: '358240051111110', model: 'Pixel 7' }, ts: 1750000000000 });
const decoded = (token: string) => {
  const layer = decodeLayer(token, createLayerBudget());
  return layer && { steps: layer.steps, text: layer.bytes.toString('utf8'), truncated: layer.truncated };
};

/** Deterministic bytes for negative corpora (no flaky "random" test). */
function seededBytes(rand: () => number, n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i += 1) out[i] = Math.floor(rand() * 256);
  return out;
}

describe('encoded layers', () => {
  it('decodes base64, unpadded base64, base64url and hex of a document, naming the alphabet', () => {
    const bytes = Buffer.from(`${doc}??>>`); // '?' and '>' put '/' and '+' or '-' and '_' in the encodings
    expect(decoded(bytes.toString('base64'))).toEqual({ steps: ['base64'], text: bytes.toString(), truncated: false });
    expect(decoded(bytes.toString('base64').replace(/=+$/, ''))?.text).toBe(bytes.toString());
    expect(decoded(bytes.toString('base64url'))).toEqual({ steps: ['base64url'], text: bytes.toString(), truncated: false });
    expect(decoded(bytes.toString('hex'))).toEqual({ steps: ['hex'], text: bytes.toString(), truncated: false });
    expect(decoded(bytes.toString('hex').toUpperCase())?.steps).toEqual(['hex']);
  });

  it('inflates gzip, zlib and raw deflate found inside the encoding', () => {
    expect(decoded(gzipSync(doc).toString('base64'))).toEqual({ steps: ['base64', 'gzip'], text: doc, truncated: false });
    expect(decoded(deflateSync(doc).toString('base64'))).toEqual({ steps: ['base64', 'zlib'], text: doc, truncated: false });
    expect(decoded(deflateRawSync(doc).toString('hex'))).toEqual({ steps: ['hex', 'deflate'], text: doc, truncated: false });
  });

  it("reads Android's line-wrapped Base64.DEFAULT output as one blob", () => {
    const wrapped = (Buffer.from(doc).toString('base64').match(/.{1,76}/g) ?? []).join('\n') + '\n';
    const tokens = encodedTokens(`{"data":"${wrapped}"}`);
    expect(tokens).toHaveLength(1); // "data" is too short; the blob is one token across its lines
    expect(decoded(tokens[0]!)?.text).toBe(doc);
    expect(singleToken(Buffer.from(wrapped))).toBe(wrapped.trim());
    expect(singleToken(Buffer.from(`a=${Buffer.from(doc).toString('base64')}`))).toBeUndefined();
  });

  it('refuses what is not a clean encoding of text', () => {
    const b64 = Buffer.from(doc).toString('base64');
    expect(decoded(`${b64.slice(0, 20)}+-${b64.slice(22)}`)).toBeUndefined(); // two alphabets mixed
    expect(decoded('QUJDREVGR0hJSktMTU5PUFFSU1RVVldY')?.text).toBe('ABCDEFGHIJKLMNOPQRSTUVWX');
    expect(decoded('QUJDREVGR0hJSktMTU5PUFFSU1RVVldYQ')).toBeUndefined(); // 33 characters: no encoder writes that
    // "QUJDRA" is "ABCD"; "QUJDRB" has non-zero spare bits: not what an encoder writes.
    expect(decoded('QUJDREVGR0hJSktMTU5PUA')?.text).toBe('ABCDEFGHIJKLMNOP');
    expect(decoded('QUJDREVGR0hJSktMTU5PUB')).toBeUndefined();
    expect(decoded(Buffer.from('\u0000\u0001\u0002binary header then text').toString('base64'))).toBeUndefined();
    expect(decoded(Buffer.from([0xc3, 0x28, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41]).toString('base64'))).toBeUndefined(); // bad UTF-8
    expect(isCleanText(Buffer.from(`${'x'.repeat(200)}\u0000`))).toBe(true); // a C string terminator is fine
  });

  it('decodes nothing out of random bytes, of any size and alphabet', () => {
    const rand = prng(99);
    const decodedAny: string[] = [];
    for (let i = 0; i < 3000; i += 1) {
      const bytes = seededBytes(rand, 12 + Math.floor(rand() * 600));
      for (const token of [bytes.toString('base64'), bytes.toString('base64url'), bytes.toString('hex')]) {
        if (decodeLayer(token, createLayerBudget())) decodedAny.push(token);
      }
    }
    expect(decodedAny).toEqual([]);
  });

  it('charges decoded bytes to the flow budget and decodes a prefix when the blob is larger', () => {
    const budget = createLayerBudget({ maxDepth: 3, maxBytes: 30_000, maxCandidates: 10 });
    const big = Buffer.from(`${'{"k":"é"},'.repeat(5000)}`); // 55 kB, multi-byte characters at every cut
    const layer = decodeLayer(big.toString('base64'), budget);
    expect(layer?.truncated).toBe(true);
    expect(layer!.bytes.length).toBeLessThanOrEqual(30_000);
    expect(big.subarray(0, layer!.bytes.length).equals(layer!.bytes)).toBe(true);
    expect(budget.remainingBytes).toBe(0);
    // Budget spent: the next candidate is not decoded at all.
    expect(decodeLayer(Buffer.from(doc).toString('base64'), budget)).toBeUndefined();
  });

  it('stops after the candidate cap', () => {
    const budget = createLayerBudget({ maxDepth: 3, maxBytes: 1 << 20, maxCandidates: 3 });
    const token = Buffer.from(doc).toString('base64');
    const results = Array.from({ length: 5 }, () => decodeLayer(token, budget) !== undefined);
    expect(results).toEqual([true, true, true, false, false]);
  });

  it('refuses a decompression bomb without inflating it past the budget', () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x20)).toString('base64');
    const budget = createLayerBudget({ maxDepth: 3, maxBytes: 1024 * 1024, maxCandidates: 10 });
    expect(decodeLayer(bomb, budget)).toBeUndefined();
  });

  it('gives each token of a header-like value, not the separators', () => {
    const jwtPayload = Buffer.from(doc).toString('base64url');
    expect(encodedTokens(`Bearer eyJhbGciOiJIUzI1NiJ9.${jwtPayload}.${randomBytes(32).toString('base64url')}`)).toContain(jwtPayload);
    expect(encodedTokens('p=abc&q=def')).toEqual([]);
  });

  it('tells a body worth parsing for layers from one with only ids, digests and random blobs', () => {
    const b64 = (x: string | Buffer) => Buffer.from(x).toString('base64');
    const holds = (body: string) => mayHoldEncodedDocument(Buffer.from(body));
    expect(holds(JSON.stringify({ k: 'appkey', data: b64(doc) }).replace(/\//g, '\\/'))).toBe(true);
    expect(holds(gzipSync(doc).toString('base64'))).toBe(true);
    expect(holds(`d=${Buffer.from(doc).toString('hex')}`)).toBe(true);
    expect(holds(JSON.stringify({ p: deflateSync(doc).toString('base64url') }))).toBe(true);
    const rand = prng(3);
    const clean = Array.from({ length: 300 }, () =>
      JSON.stringify({
        sid: '38400000-8cf0-41bd-a23e-10b96e40000d',
        h: createHash('sha256').update(String(rand())).digest('hex'),
        blob: seededBytes(rand, 24).toString('base64'),
        png: seededBytes(rand, 200).toString('base64'),
      }),
    );
    expect(clean.filter(holds)).toEqual([]);
  });
});

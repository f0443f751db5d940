import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBody } from './body-codec.js';

const text = Buffer.from(JSON.stringify({ imei: '358240051111110', pad: 'x'.repeat(5000) }));
const limits = { maxBytes: 1024 * 1024, maxRatio: 100, ratioFloorBytes: 64 * 1024 };

describe('body decoding', () => {
  it.each([
    ['gzip', gzipSync(text)],
    ['deflate', deflateSync(text)],
    ['br', brotliCompressSync(text)],
  ])('removes %s', async (coding, encoded) => {
    const out = await decodeBody(encoded, coding, limits);
    expect(out.bytes.equals(text)).toBe(true);
    expect(out.decodedFrom).toBe(coding);
    expect(out.decodeError).toBeUndefined();
  });

  it('accepts raw deflate sent as "deflate"', async () => {
    const out = await decodeBody(deflateRawSync(text), 'deflate', limits);
    expect(out.bytes.equals(text)).toBe(true);
  });

  it('undoes stacked encodings last to first', async () => {
    const out = await decodeBody(brotliCompressSync(gzipSync(text)), 'gzip, br', limits);
    expect(out.bytes.equals(text)).toBe(true);
    expect(out.decodedFrom).toBe('gzip, br');
  });

  it('keeps the decodable part of a truncated gzip stream, flagged', async () => {
    const big = Buffer.from(`{"imei":"358240051111110","rest":"${randomBytes(100_000).toString('hex')}"}`);
    const gz = gzipSync(big);
    const out = await decodeBody(gz.subarray(0, Math.floor(gz.length / 2)), 'gzip', limits);
    expect(out.truncated).toBe(true);
    expect(out.decodeError).toMatch(/truncated/);
    expect(out.bytes.length).toBeGreaterThan(0);
    expect(out.bytes.toString('utf8', 0, 30)).toContain('358240051111110');
  });

  it('stops a decompression bomb by ratio before it fills memory', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const out = await decodeBody(bomb, 'gzip', { maxBytes: 64 * 1024 * 1024, maxRatio: 100, ratioFloorBytes: 64 * 1024 });
    expect(out.decodeError).toMatch(/decompression bomb guard/);
    expect(out.truncated).toBe(true);
    expect(out.bytes.length).toBeLessThan(8 * 1024 * 1024);
  });

  it('caps the decoded size', async () => {
    const out = await decodeBody(gzipSync(Buffer.alloc(3 * 1024 * 1024, 0x61)), 'gzip', { maxBytes: 1024 * 1024, maxRatio: 10_000, ratioFloorBytes: 0 });
    expect(out.bytes.length).toBe(1024 * 1024);
    expect(out.truncated).toBe(true);
    expect(out.decodeError).toMatch(/cap/);
  });

  it('stores what was sent when the encoding is not gzip after all', async () => {
    const out = await decodeBody(text, 'gzip', limits);
    expect(out.bytes.equals(text)).toBe(true);
    expect(out.decodedFrom).toBeUndefined();
    expect(out.decodeError).toMatch(/stored as sent/);
  });

  it('stores unknown encodings as sent', async () => {
    const out = await decodeBody(text, 'zstd', limits);
    expect(out.decodeError).toMatch(/unsupported content-encoding "zstd"/);
    expect(out.bytes.equals(text)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { AhoCorasick } from './aho-corasick.js';
import { prng } from '../test-support/synthetic-traffic.js';

function naive(patterns: Buffer[], text: Buffer): string[] {
  const out: string[] = [];
  patterns.forEach((p, id) => {
    for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) out.push(`${id}@${i + p.length}`);
  });
  return out.sort();
}

function scanAll(ac: AhoCorasick, text: Buffer, chunk = text.length): string[] {
  const out: string[] = [];
  const stream = ac.stream((id, end) => out.push(`${id}@${end}`));
  for (let i = 0; i < text.length; i += chunk) stream.write(text.subarray(i, i + chunk));
  return out.sort();
}

describe('Aho-Corasick', () => {
  it('reports overlapping and nested patterns like a naive search', () => {
    const patterns = ['he', 'she', 'his', 'hers', 'e', 'ushers'].map((p) => Buffer.from(p));
    const text = Buffer.from('ushers and his hers she he');
    expect(scanAll(new AhoCorasick(patterns), text)).toEqual(naive(patterns, text));
  });

  it('agrees with a naive search on random bytes, in any chunking', () => {
    const rand = prng(42);
    const alphabet = Buffer.from('ab01:%=');
    const pick = (n: number) => Buffer.from(Array.from({ length: n }, () => alphabet[Math.floor(rand() * alphabet.length)]!));
    const patterns = Array.from({ length: 60 }, () => pick(1 + Math.floor(rand() * 6)));
    const text = Buffer.concat([pick(5000), Buffer.from([0, 255, 10]), pick(3000)]);
    const ac = new AhoCorasick(patterns);
    const expected = naive(patterns, text);
    expect(expected.length).toBeGreaterThan(1000);
    for (const chunk of [1, 7, 64, text.length]) expect(scanAll(ac, text, chunk)).toEqual(expected);
  });

  it('matches every byte value, including bytes outside the patterns', () => {
    const patterns = [Buffer.from([0, 255, 128]), Buffer.from('\u00e9', 'utf8')];
    const text = Buffer.concat([Buffer.from([1, 0, 255, 128, 2]), Buffer.from('caf\u00e9', 'utf8')]);
    expect(scanAll(new AhoCorasick(patterns), text)).toEqual(naive(patterns, text));
    expect(new AhoCorasick(patterns).test(Buffer.from('nothing here'))).toBe(false);
  });

  it('rejects an empty pattern', () => {
    expect(() => new AhoCorasick([Buffer.alloc(0)])).toThrow(/empty pattern/);
  });
});

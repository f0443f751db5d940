import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanLines } from './line-scan.js';

const dir = mkdtempSync(join(tmpdir(), 'line-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe('scanning a JSONL file for lost or torn records', () => {
  const lines = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `e${i + 1}`, pad: 'x'.repeat(i % 7) }));
  const text = `${lines.join('\n')}\n`;

  it.each([1, 3, 7, 64, 1 << 20])('counts lines and keeps the first and last ones whatever the chunk size (%i bytes)', async (chunk) => {
    const scan = await scanLines(file(`ok-${chunk}.jsonl`, text), 3, chunk);
    expect(scan.lines).toBe(50);
    expect(scan.first).toEqual(lines.slice(0, 3));
    expect(scan.last).toBe(lines[49]);
    expect(scan.unterminated).toBe(false);
  });

  it('reports a torn last record and does not count it', async () => {
    const scan = await scanLines(file('torn.jsonl', `${text}{"id":"e5`), 0, 5);
    expect(scan.lines).toBe(50);
    expect(scan.last).toBe(lines[49]);
    expect(scan.unterminated).toBe(true);
  });

  it('handles an empty file', async () => {
    expect(await scanLines(file('empty.jsonl', ''), 2)).toEqual({ lines: 0, first: [], last: undefined, unterminated: false });
  });
});

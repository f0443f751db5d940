import { Writable } from 'node:stream';

/** A stream that says it is a terminal and keeps what is written to it. */
export class FakeTerminal extends Writable {
  isTTY: boolean;
  columns = 160;
  rows = 40;
  raw = '';
  constructor(tty: boolean) {
    super({ decodeStrings: false });
    this.isTTY = tty;
  }
  override _write(chunk: unknown, _enc: BufferEncoding, done: () => void): void {
    this.raw += String(chunk);
    done();
  }
}

/**
 * What a person sees after all that was written: a small terminal emulator for the control
 * sequences readline and cli-progress use (cursor up/down/column, clear line/below, save/restore).
 */
export function screenOf(raw: string): string[] {
  const lines: string[] = [''];
  let row = 0;
  let col = 0;
  let saved = { row: 0, col: 0 };
  const put = (ch: string) => {
    const line = (lines[row] ?? '').padEnd(col, ' ');
    lines[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col += 1;
  };
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\x1b') {
      if (raw[i + 1] === '7' || raw[i + 1] === '8') {
        if (raw[i + 1] === '7') saved = { row, col };
        else ({ row, col } = saved);
        i += 1;
        continue;
      }
      const m = /^\[(\??)(\d*)([A-Za-z])/.exec(raw.slice(i + 1))!;
      i += m[0].length;
      const n = m[2] ? Number(m[2]) : undefined;
      if (m[1]) continue; // ?25l / ?7h: cursor and wrap modes
      if (m[3] === 'A') row = Math.max(0, row - (n ?? 1));
      else if (m[3] === 'B') row += n ?? 1;
      else if (m[3] === 'G') col = (n ?? 1) - 1;
      else if (m[3] === 'K') lines[row] = n === 2 ? '' : n === 1 ? ' '.repeat(col) + (lines[row] ?? '').slice(col) : (lines[row] ?? '').slice(0, col);
      else if (m[3] === 'J') {
        lines.splice(row + 1);
        lines[row] = (lines[row] ?? '').slice(0, col);
      }
      continue;
    }
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      col = 0;
      if (lines.length <= row) lines.push('');
    } else put(ch);
  }
  return lines.map((l) => l.trimEnd()).filter((l, i, all) => l !== '' || i < all.length - 1);
}

import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMachine, machineInfo } from './machine.js';

/**
 * Output every benchmark shares: a header naming the machine and the command, Markdown tables
 * (readable in a terminal and pasted as-is into tooling/bench/RESULTS.md), and one ratio line against
 * the peer measured in the same run.
 */

export type Cell = string | number;
export type Align = 'left' | 'right';

export function markdownTable(headers: string[], rows: Cell[][], align: Align[] = []): string {
  const text = (c: Cell) => (typeof c === 'number' ? formatNumber(c) : c).replace(/\|/g, '\\|');
  const cells = rows.map((r) => headers.map((_, i) => text(r[i] ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, 3, ...cells.map((r) => r[i]!.length)));
  const pad = (s: string, i: number) => (align[i] === 'right' ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const rule = widths.map((w, i) => (align[i] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)));
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  return [line(headers), `| ${rule.join(' | ')} |`, ...cells.map(line)].join('\n');
}

/** Thousands separators for big counts, 3 significant digits for small rates. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  if (Number.isInteger(n)) return String(n);
  return n.toPrecision(3);
}

export interface RatioLine {
  /** What is compared, e.g. "events/s". */
  metric: string;
  ours: number;
  peer: number;
  peerName: string;
  /** ours/peer must reach this (higher is better) to pass; absent: informational. */
  target?: number;
}

export function ratioLine(r: RatioLine): string {
  const ratio = r.peer > 0 ? r.ours / r.peer : Number.NaN;
  const verdict = r.target === undefined ? '' : ` (target ≥ ${r.target}x) ${ratio >= r.target ? 'PASS' : 'BELOW TARGET'}`;
  return `ratio: consentry/${r.peerName} = ${ratio.toFixed(2)}x ${r.metric}${verdict}`;
}

export function header(title: string, command: string): string {
  return [`## ${title}`, '', `- machine: ${describeMachine(machineInfo())}`, `- date: ${new Date().toISOString()}`, `- command: \`${command}\``, ''].join('\n');
}

/** How this benchmark was invoked, for the header: `npm run bench -- <name> <flags>`. */
export function benchCommand(moduleUrl: string, argv: string[] = process.argv.slice(2)): string {
  const name = basename(fileURLToPath(moduleUrl)).replace(/\.bench\.ts$/, '').replace(/\.ts$/, '');
  return ['npm run bench --', name, ...argv].join(' ');
}

export function print(text = ''): void {
  process.stdout.write(`${text}\n`);
}

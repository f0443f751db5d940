import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../core/process.js';

/** Debian's Chromium, headless, with no network chatter (this machine has no outside network). */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM ?? '/usr/bin/chromium';
}

/** The DOM after the page has loaded (and after any script would have run). */
export async function dumpDom(file: string): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  const { stdout } = await runProcess(chromiumPath(), [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`], { timeoutMs: 60_000 });
  return stdout;
}

export async function screenshot(file: string, png: string, size = '1280,1400'): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  await runProcess(chromiumPath(), [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${size}`, `--screenshot=${png}`, `file://${file}`], { timeoutMs: 60_000 });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '../../../core/process.js';

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
  return withProfile(async (profile) => {
    const { stdout } = await runProcess(chromiumPath(), [...FLAGS, `--user-data-dir=${profile}`, '--dump-dom', `file://${file}`], { timeoutMs: 60_000 });
    return stdout;
  });
}

export async function screenshot(file: string, png: string, size = '1280,1400'): Promise<void> {
  await withProfile(async (profile) => {
    await runProcess(chromiumPath(), [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${size}`, `--screenshot=${png}`, `file://${file}`], { timeoutMs: 60_000 });
  });
}

/** A throwaway Chromium profile (a few MB each), removed once Chromium has exited. */
async function withProfile<T>(fn: (profile: string) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'chromium-'));
  try {
    return await fn(profile);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

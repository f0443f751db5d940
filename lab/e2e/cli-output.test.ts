import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BUNDLE_FILES } from '../../product/contracts/bundle-schema.js';
import { EXIT } from '../../product/core/errors.js';
import { freePort } from '../../product/core/free-port.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';
import { CLI, startVirtualDeviceProcess, type VirtualDeviceProcess } from './test-support/virtual-device-process.js';

/**
 * What a person and a CI job see from `consentry run` (issue #25): outside a terminal, plain
 * progress lines and the result, never the JSON log (it goes to the bundle's logs.jsonl); in a
 * terminal (a real pty, through `script`), a live view whose last output is the result.
 */
const ESC = '\u001b';
const APK = join(PACKAGE_ROOT, 'lab', 'sample-apps', 'apks', 'umeng-preconsent.apk');
let adbPort = 0;
let work = '';
let configFile = '';
let device: VirtualDeviceProcess | undefined;
let serial = '';

beforeAll(async () => {
  adbPort = await freePort();
  work = mkdtempSync(join(tmpdir(), 'consentry-cli-output-e2e-'));
  configFile = join(work, 'consentry.config.yaml');
  // The config's own level (info) is what a user has: the point is that it stays off the screen.
  writeFileSync(configFile, stringify({ capturesRoot: join(work, 'captures'), stateDir: join(work, 'state'), adb: { port: adbPort } }));
  device = await startVirtualDeviceProcess(adbPort);
  serial = device.serial;
}, 120_000);

afterAll(async () => {
  await device?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const runArgs = (...extra: string[]) => ['--config', configFile, 'run', APK, '--scenario', 'accept-consent', '--observe-scale', '0.1', '--device', serial, ...extra];

/** A line pino would have written: one JSON object with a numeric level. */
const isJsonLogLine = (line: string) => {
  try {
    const v = JSON.parse(line) as { level?: unknown };
    return typeof v === 'object' && v !== null && typeof v.level === 'number';
  } catch {
    return false;
  }
};

describe('consentry run: what the screen shows', () => {
  it('outside a terminal: plain progress lines and the result, the JSON log in the bundle and --log-file', async () => {
    const logFile = join(work, 'ci-log', 'consentry.jsonl');
    const r = await runProcess(process.execPath, [...CLI, ...runArgs('--log-file', logFile, '--formats', 'html,json,csv,xlsx')], {
      cwd: work,
      timeoutMs: 240_000,
      okCodes: [0, 1, 2, 3, 4, 70],
    });
    expect(r.code, r.stderr).toBe(EXIT.findings);
    const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter(Boolean);
    expect(lines.filter(isJsonLogLine), 'JSON log lines on the screen').toEqual([]);
    expect(r.stderr).toMatch(/^umeng-preconsent\.apk: scenario …$/m);
    expect(r.stderr).toMatch(/^umeng-preconsent\.apk: scenario done in \d+ ms$/m);
    expect(r.stdout).toMatch(/^verdict: fail/m);
    expect(r.stdout).toMatch(/^ {2}high {3}CONSENT-PRE-COLLECT/m);

    const bundle = /^bundle: +(\S+)$/m.exec(r.stdout)![1]!;
    const logs = readFileSync(join(bundle, BUNDLE_FILES.logs), 'utf8').trim().split('\n');
    expect(logs.every(isJsonLogLine)).toBe(true);
    const messages = logs.map((l) => (JSON.parse(l) as { msg: string }).msg);
    // From before the bundle existed (intake) to after it was finished (report).
    expect(messages).toContain('phase intake done');
    expect(messages).toContain('phase report done');
    expect(r.stdout).toContain(`log: ${join(bundle, BUNDLE_FILES.logs)}`);
    expect(readFileSync(logFile, 'utf8')).toContain('"msg":"phase scenario done"');

    // Every format the report command knows is written by run too.
    for (const f of ['report.html', 'report.json', 'summary.csv', 'summary.xlsx']) expect(existsSync(join(bundle, f)), f).toBe(true);
    expect(readFileSync(join(bundle, 'summary.csv'), 'utf8')).toContain('CONSENT-PRE-COLLECT');
  }, 300_000);

  it('refuses an unknown report format before anything starts, with exit 2', async () => {
    const r = await runProcess(process.execPath, [...CLI, ...runArgs('--formats', 'html,pdf')], { cwd: work, timeoutMs: 60_000, okCodes: [0, 1, 2, 3, 4, 70] });
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr.trim()).toBe('consentry: field "formats": unknown report format "pdf": expected a comma-separated list of html, json, junit, sarif, csv, xlsx');
  }, 90_000);

  it('in a terminal: the live view is redrawn in place and the result is the last thing on the screen', async () => {
    const command = [process.execPath, ...CLI, ...runArgs()].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // `script` gives the command a real pseudo-terminal (util-linux, in every Debian).
    const r = await runProcess('script', ['-qec', `stty cols 160 rows 40; ${command}`, '/dev/null'], { cwd: work, timeoutMs: 240_000, okCodes: [0, 1, 2, 3, 4, 70] });
    expect(r.code, r.stdout).toBe(EXIT.findings);
    const raw = r.stdout;
    // The live view drew with cursor movements...
    expect(raw).toMatch(new RegExp(`${ESC}\\[\\d*[AGK]`));
    expect(raw).toMatch(/umeng-preconsent\.apk \| scenario \| .* \| events \d+ \| flows \d+ \| \d+s/);
    // ...and nothing was drawn after the result began: from "bundle:" on, plain lines only.
    const result = raw.slice(raw.lastIndexOf('bundle:'));
    expect(result.includes(ESC)).toBe(false);
    const resultLines = result.split(/\r?\n/).filter(Boolean);
    expect(resultLines[0]).toMatch(/^bundle: /);
    expect(resultLines).toContainEqual(expect.stringMatching(/^verdict: fail/));
    expect(resultLines.at(-1)).toMatch(/^log: .*logs\.jsonl$/);
    // The run's info log stayed off the screen.
    expect(raw).not.toMatch(/"level":\d+/);
    expect(raw).not.toContain('phase intake done');
  }, 300_000);
});

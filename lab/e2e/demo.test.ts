import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { readBundle } from '../../product/evidence/bundle/reader.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { freePort } from '../../product/core/free-port.js';
import { runProcess } from '../../product/core/process.js';

/**
 * The README's main job, as a user runs it: `consentry demo --json` starts a virtual farm, runs
 * every sample app through the whole pipeline (real adb, Appium + UiAutomator2, proxy, agent),
 * and each app's findings must equal the ground truth its model states.
 */
const CLI = ['--import', 'tsx', join(PACKAGE_ROOT, 'product', 'cli', 'main.ts')];
let adbPort = 0;
let work = '';
let configFile = '';

beforeAll(async () => {
  adbPort = await freePort();
  work = mkdtempSync(join(tmpdir(), 'consentry-demo-e2e-'));
  configFile = join(work, 'consentry.config.yaml');
  writeFileSync(configFile, stringify({ capturesRoot: join(work, 'captures'), stateDir: join(work, 'state'), logLevel: 'warn', adb: { port: adbPort } }));
});

afterAll(async () => {
  await runProcess('adb', ['-P', String(adbPort), 'kill-server'], { timeoutMs: 20_000, okCodes: [0, 1] }).catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

function cli(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return runProcess(process.execPath, [...CLI, '--config', configFile, ...args], { timeoutMs, okCodes: [0, 1, 2, 3, 4, 5, 70, 130] });
}

describe('consentry demo (the main job)', () => {
  it('runs every sample app end to end and each matches its ground truth', async () => {
    const { code, stdout, stderr } = await cli(['--json', 'demo', '--devices', '4', '--observe-scale', '0.1'], 900_000);
    const doc = JSON.parse(stdout) as { apps: { app: string; status: string; ruleIds: string[]; expected: string[] | null; matchesExpected: boolean | null; bundle: string; report: string }[] };
    const summary = doc.apps.map((a) => `${a.app}: ${a.status} got [${a.ruleIds.join(' ')}] expected [${a.expected?.join(' ') ?? '-'}]`).join('\n');
    expect(doc.apps.length, stderr).toBeGreaterThanOrEqual(6);
    for (const app of doc.apps) {
      expect(app.status, summary).toBe('done');
      expect(app.matchesExpected, summary).toBe(true);
    }
    expect(code, summary).toBe(0);

    // The hostile app's strings reach the report escaped, never as markup.
    const hostile = doc.apps.find((a) => a.app === 'hostile-markup')!;
    const html = readFileSync(hostile.report, 'utf8');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;');
    // Every bundle is complete and re-analysable offline.
    for (const app of doc.apps) expect((await readBundle(app.bundle)).run.outcome).toBe('complete');
  }, 1_000_000);

  it('Ctrl-C during a run tears down and leaves a bundle marked interrupted', async () => {
    const device = spawn(process.execPath, [...CLI, 'virtual-device', '--count', '1'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        device.stdout!.on('data', (b: Buffer) => {
          const m = /ready (\S+)/.exec(b.toString());
          if (m) resolve(m[1]!);
        });
        device.once('exit', () => reject(new Error('virtual device exited')));
      });
      await runProcess('adb', ['-P', String(adbPort), 'connect', address], { timeoutMs: 30_000 });
      const apk = join(PACKAGE_ROOT, 'lab', 'sample-apps', 'apks', 'umeng-preconsent.apk');
      const run = spawn(process.execPath, [...CLI, '--config', configFile, '--json', 'run', apk, '--scenario', 'pre-consent-idle', '--device', address], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let interrupted = false;
      run.stdout!.on('data', (b: Buffer) => (out += b.toString()));
      run.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        // Interrupt once the scenario is under way (its 30 s observe step).
        if (/: scenario …/.test(err) && !interrupted) {
          interrupted = true;
          setTimeout(() => run.kill('SIGINT'), 15_000);
        }
      });
      const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
      expect(code, err).toBe(130);
      const result = JSON.parse(out) as { bundle: string; outcome: string };
      expect(result.outcome).toBe('interrupted');
      const bundle = await readBundle(result.bundle);
      expect(bundle.run.outcome).toBe('interrupted');
      expect(bundle.incomplete).toBe(true);
      // The device was put back: proxy unset, app removed.
      const shell = async (c: string) => (await runProcess('adb', ['-P', String(adbPort), '-s', address, 'shell', c], { timeoutMs: 20_000 })).stdout.trim();
      expect(['', 'null', ':0']).toContain(await shell('settings get global http_proxy'));
      expect(await shell('pm list packages com.consentry.sample.weather')).toBe('');
    } finally {
      device.kill('SIGTERM');
    }
  }, 300_000);
});

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync, existsSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flow, runMeta, T0, writeTestBundle } from '../../product/evidence/bundle/test-support/factories.js';
import { BundleWriter } from '../../product/evidence/bundle/writer.js';
import { BUNDLE_FILES, FindingsDoc } from '../../product/contracts/bundle-schema.js';
import { EXIT } from '../../product/core/errors.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';

/**
 * Hostile and broken inputs, through the real CLI in its own process, without devices: a crafted
 * bundle whose body is a link to the capture CA key, a damaged findings.json, a damaged bundle,
 * two different apps given to diff, an empty config file, and a batch list with a bad row.
 */
const work = mkdtempSync(join(tmpdir(), 'consentry-chaos-inputs-'));
const stateDir = join(work, 'state');
const config = join(work, 'consentry.config.yaml');
writeFileSync(config, `logLevel: silent\nstateDir: ${stateDir}\ncapturesRoot: ${join(work, 'captures')}\n`);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], configFile = config) {
  return runProcess(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'product/cli/main.ts'), '-c', configFile, ...args], {
    cwd: PACKAGE_ROOT,
    timeoutMs: 90_000,
    okCodes: [0, 1, 2, 3, 4, 5, 70],
  });
}

const SECRET_MARK = 'CHAOS-SECRET-KEY-MATERIAL';

describe('crafted and damaged inputs', () => {
  it('a body linked to the CA private key never reaches report.html or the HAR', async () => {
    mkdirSync(stateDir, { recursive: true });
    const key = join(stateDir, 'capture-ca.key');
    writeFileSync(key, `-----BEGIN PRIVATE KEY-----\n${SECRET_MARK}\n-----END PRIVATE KEY-----\n`);
    const writer = BundleWriter.create(work, { ...runMeta({ runId: 'crafted-link' }), outcome: 'running' });
    const sha = writer.storeBody(Buffer.from('harmless'));
    writer.addFlow(flow('https://collector.example/up', T0 + 10, { request: { method: 'POST', url: 'https://collector.example/up', headers: [], body: { size: 8, sha256: sha } } }));
    writer.addUi({ t: T0 + 20, ...writer.storeScreen('s1', { png: Buffer.from('png') }) });
    await writer.finish('complete');
    const dir = writer.dir;
    for (const rel of [`bodies/${sha.slice(0, 2)}/${sha}`, 'screens/s1.png']) {
      unlinkSync(join(dir, rel));
      symlinkSync(key, join(dir, rel));
    }
    const html = join(work, 'crafted.html');
    const har = join(work, 'crafted.har');
    const strict = await cli(['report', dir, '-o', html]);
    expect(strict.code).toBe(EXIT.usage);
    expect(strict.stderr).toMatch(/symbolic link/);
    expect(strict.stderr).toContain('--lenient');
    const lenient = await cli(['traffic', dir, '--lenient', '--har', har]);
    expect(lenient.code, lenient.stderr).toBe(EXIT.ok);
    expect(readFileSync(har, 'utf8')).not.toContain(SECRET_MARK);
    expect(readFileSync(har, 'utf8')).not.toContain(Buffer.from(SECRET_MARK).toString('base64').slice(0, 16));
    expect(existsSync(html) ? readFileSync(html, 'utf8') : '').not.toContain(SECRET_MARK);
  });

  it('analyze recomputes a damaged findings.json, replaces it and says so', async () => {
    const dir = await writeTestBundle(work, { flows: [flow('https://api.example.com/', T0)] });
    writeFileSync(join(dir, BUNDLE_FILES.findings), '{"verdict": "pa');
    const r = await cli(['analyze', dir, '--fail-on', 'never']);
    expect(r.code, r.stderr).not.toBe(EXIT.usage);
    expect(r.stdout).toMatch(/previous findings\.json was damaged .*recomputed and replaced/);
    expect(() => FindingsDoc.parse(JSON.parse(readFileSync(join(dir, BUNDLE_FILES.findings), 'utf8')))).not.toThrow();
  });

  it('the damaged-bundle error names the way out (--lenient)', async () => {
    const dir = await writeTestBundle(work, { flows: [flow('https://api.example.com/', T0)] });
    writeFileSync(join(dir, 'flows.jsonl'), 'not json\n{}\n');
    const r = await cli(['analyze', dir]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.stderr).toMatch(/damaged bundle: flows\.jsonl:1.*--lenient/);
  });

  it('diff refuses two different apps unless --allow-different-apps', async () => {
    const a = await writeTestBundle(work, { run: { app: { ...runMeta().app, package: 'com.example.one' } } });
    const b = await writeTestBundle(work, { run: { app: { ...runMeta().app, package: 'com.example.two' } } });
    for (const dir of [a, b]) expect((await cli(['analyze', dir, '--fail-on', 'never'])).code).not.toBe(EXIT.usage);
    const refused = await cli(['diff', a, b]);
    expect(refused.code).toBe(EXIT.usage);
    expect(refused.stderr).toMatch(/two different apps \(com\.example\.one .* com\.example\.two/);
    const allowed = await cli(['diff', a, b, '--allow-different-apps']);
    expect(allowed.code, allowed.stderr).toBe(EXIT.ok);
  });

  it('an empty config file means all defaults', async () => {
    const empty = join(work, 'empty.config.yaml');
    writeFileSync(empty, '');
    const r = await cli(['rules'], empty);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    writeFileSync(empty, '# nothing to change yet\n');
    expect((await cli(['rules'], empty)).code).toBe(EXIT.ok);
  });

  it('a batch list with a missing APK or an unknown scenario fails before any device, naming the line', async () => {
    const apps = join(work, 'apps');
    mkdirSync(apps, { recursive: true });
    const sample = readdirSync(join(PACKAGE_ROOT, 'lab', 'sample-apps', 'apks')).sort()[0]!;
    copyFileSync(join(PACKAGE_ROOT, 'lab', 'sample-apps', 'apks', sample), join(apps, 'a.apk'));
    const csv = join(apps, 'list.csv');
    writeFileSync(csv, 'path,scenario\n\na.apk,standard\n\nmissing.apk,standard\n');
    // No adb server is configured for this config: had the batch leased, it would fail with 3.
    const missing = await cli(['batch', csv]);
    expect(missing.code, missing.stderr).toBe(EXIT.usage);
    expect(missing.stderr).toContain('list.csv:5, field "path": "missing.apk" does not exist');
    writeFileSync(csv, 'path,scenario\na.apk,standard\n\n\na.apk,no-such-scenario\n');
    const unknown = await cli(['batch', csv]);
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.stderr).toMatch(/list\.csv:5, field "scenario": .*no-such-scenario/);
    expect(existsSync(join(work, 'captures', 'farm.sqlite'))).toBe(false);
  });
});

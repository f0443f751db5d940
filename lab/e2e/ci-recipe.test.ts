import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXIT } from '../../product/core/errors.js';
import { freePort } from '../../product/core/free-port.js';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';
import { CLI, startVirtualDeviceProcess, type VirtualDeviceProcess } from './test-support/virtual-device-process.js';

/**
 * docs/ci.md cannot rot: its GitHub workflow is linted with action-validator (GitHub's workflow
 * schema), its GitLab job is checked for what GitLab reads, and the run command the workflow
 * gives is run against a virtual device: the exit code, the annotations and the files the
 * upload step collects must be what the page promises.
 */
const DOC = readFileSync(join(PACKAGE_ROOT, 'docs', 'ci.md'), 'utf8');
/**
 * action-validator (mpalmer/action-validator, compiled to WebAssembly): GitHub's workflow schema
 * plus its own checks. A devDependency; named through a constant so the typecheck does not need it.
 */
const WORKFLOW_LINTER = '@action-validator/core';
// tsx by its path: the commands run in a work folder of their own, like a user's checkout.

/** The ```yaml block under a "## <title>" heading of docs/ci.md. */
function yamlBlock(title: string): string {
  const section = DOC.split(/^## /m).find((s) => s.startsWith(title));
  const block = section && /```yaml\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`docs/ci.md has no yaml block under "## ${title}"`);
  return block[1]!;
}

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
const workflowText = yamlBlock('GitHub Actions');
const workflow = parse(workflowText) as { jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const scriptLines = steps.flatMap((s) => [s.run ?? '', s.with?.script ?? ''].join('\n').split('\n')).map((l) => l.trim());
const runLine = scriptLines.find((l) => l.startsWith('npx consentry run '));

describe('docs/ci.md', () => {
  it('GitHub workflow: valid against the workflow schema, and runs the set-up and the documented command on an emulator', async () => {
    const { validateWorkflow } = (await import(WORKFLOW_LINTER)) as { validateWorkflow(src: string): { errors: unknown[] } };
    expect(validateWorkflow(workflowText).errors).toEqual([]);
    // The linter catches what a hand edit breaks (a misspelt key).
    expect(validateWorkflow(workflowText.replace('runs-on:', 'runs_on:')).errors).not.toEqual([]);
    expect(scriptLines).toContain('bash tooling/scripts/setup.sh');
    const emulator = steps.find((s) => s.uses?.startsWith('reactivecircus/android-emulator-runner@'));
    expect(emulator?.with).toMatchObject({ target: 'google_apis' });
    expect(runLine).toBe('npx consentry run app.apk --device emulator-5554 --scenario standard --fail-on high --ci github');
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'));
    expect(upload?.with?.path).toMatch(/report\.sarif[\s\S]*junit\.xml[\s\S]*report\.html/);
  });

  it('GitLab job: a KVM runner, the set-up, the same command with --ci gitlab, and the reports GitLab reads', () => {
    const job = (parse(yamlBlock('GitLab CI')) as Record<string, { tags: string[]; before_script: string[]; script: string[]; artifacts: { when: string; reports: Record<string, string> } }>).consentry!;
    expect(job.tags).toContain('kvm');
    expect(job.before_script).toContain('bash tooling/scripts/setup.sh');
    expect(job.script).toContain(runLine!.replace('--ci github', '--ci gitlab'));
    expect(job.artifacts.when).toBe('always');
    expect(job.artifacts.reports).toEqual({ junit: 'captures/**/junit.xml', codequality: 'gl-code-quality-report.json' });
  });
});

describe('the documented run command, on a virtual device', () => {
  let adbPort = 0;
  let work = '';
  let device: VirtualDeviceProcess | undefined;
  let serial = '';

  beforeAll(async () => {
    adbPort = await freePort();
    work = mkdtempSync(join(tmpdir(), 'consentry-ci-recipe-e2e-'));
    // The job's checkout: the default config, captures/ in the working directory.
    writeFileSync(join(work, 'consentry.config.yaml'), stringify({ stateDir: join(work, 'state'), adb: { port: adbPort } }));
    device = await startVirtualDeviceProcess(adbPort);
    serial = device.serial;
  }, 120_000);

  afterAll(async () => {
    await device?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('fails the job on a high finding, annotates it, and leaves the SARIF, JUnit and HTML files the upload step collects', async () => {
    const apk = join(PACKAGE_ROOT, 'lab', 'sample-apps', 'apks', 'umeng-preconsent.apk');
    // The documented arguments with the job's APK and emulator replaced by a sample app and the
    // virtual device; observe steps shortened (the only argument added) to keep the suite quick.
    const args = runLine!
      .split(/\s+/)
      .slice(2)
      .map((a) => (a === 'app.apk' ? apk : a === 'emulator-5554' ? serial : a));
    const r = await runProcess(process.execPath, [...CLI, ...args, '--observe-scale', '0.1'], {
      cwd: work,
      timeoutMs: 400_000,
      okCodes: [0, 1, 2, 3, 4, 70],
      env: { ...process.env, CI: 'true', GITHUB_ACTIONS: 'true' },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(EXIT.findings);
    expect(r.stdout).toContain(`::error file=${apk},title=CONSENT-PRE-COLLECT (high)::`);

    const uploads = (steps.find((s) => s.uses?.startsWith('actions/upload-artifact@'))!.with!.path ?? '').split('\n').filter(Boolean);
    const written = listFiles(join(work, 'captures'));
    for (const pattern of uploads) {
      expect(pattern.startsWith('captures/**/'), pattern).toBe(true);
      expect(written.map((f) => basename(f)), pattern).toContain(basename(pattern));
    }
    const sarif = JSON.parse(readFileSync(written.find((f) => f.endsWith('report.sarif'))!, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.results.map((x) => x.ruleId)).toContain('CONSENT-PRE-COLLECT');
    expect(readFileSync(written.find((f) => f.endsWith('junit.xml'))!, 'utf8')).toMatch(/<failure[^>]*CONSENT-PRE-COLLECT|CONSENT-PRE-COLLECT[\s\S]*<failure/);
  }, 480_000);
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

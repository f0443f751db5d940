import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../product/core/paths.js';
import { runProcess } from '../../product/core/process.js';
import { tempDirs } from '../../product/core/test-support/temp-dirs.js';

/** `consentry scenarios list|validate` as a user runs them: exit codes, stdout, one-line errors. */

const dir = tempDirs('scenarios-cli').root;

function cli(...args: string[]) {
  return runProcess(process.execPath, ['--import', 'tsx', join(PACKAGE_ROOT, 'product/cli/main.ts'), ...args], {
    timeoutMs: 60_000,
    okCodes: [0, 1, 2, 3, 4, 5, 70],
    cwd: PACKAGE_ROOT,
    env: { ...process.env, CONSENTRY_LOG_LEVEL: 'silent' },
  });
}

describe('consentry scenarios', () => {
  it('lists the built-in scenarios with steps and observation time, scaled on request', async () => {
    const table = await cli('scenarios', 'list');
    expect(table.code).toBe(0);
    for (const id of ['pre-consent-idle', 'refuse-consent', 'deny-then-relaunch', 'standard']) expect(table.stdout).toContain(id);
    const json = await cli('--json', 'scenarios', 'list', '--observe-scale', '0.1');
    const doc = JSON.parse(json.stdout) as { scenarios: { id: string; steps: number; observeSeconds: number }[] };
    expect(doc.scenarios.find((s) => s.id === 'pre-consent-idle')).toMatchObject({ steps: 2, observeSeconds: 3 });
  });

  it('validates a good file with a summary, and fails a bad one with file:line and field', async () => {
    const good = join(dir, 'twice.yaml');
    writeFileSync(good, 'id: twice\ndescription: refuse twice\nsteps:\n  - part: { name: a, include: refuse-consent }\n  - reset-data\n  - part: { name: b, include: refuse-consent }\n');
    const ok = await cli('scenarios', 'validate', good);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('valid scenario "twice", 7 steps, 60 s of observation');
    expect(ok.stdout).toContain('Refuse the privacy policy dialog');

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'id: bad\ndescription: d\nsteps:\n  - launch\n  - permission: { action: maybe }\n');
    const err = await cli('scenarios', 'validate', bad);
    expect(err.code).toBe(2);
    expect(err.stderr.trim().split('\n')).toHaveLength(1);
    expect(err.stderr).toContain(`${bad}:5, field "steps.1.permission.action"`);
    expect(err.stderr).toMatch(/expected one of "allow"\|"allow-once"/);
  });
});

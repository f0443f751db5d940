import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { loadScenario } from './loader.js';

const root = mkdtempSync(join(tmpdir(), 'consentry-loader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadScenario by file', () => {
  it('refuses a file whose id is not its name, naming the line of the id', () => {
    const file = join(root, 'my-flow.yaml');
    writeFileSync(file, 'description: d\nid: someone-else\nsteps:\n  - launch\n');
    const err = (() => {
      try {
        loadScenario(file);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ code: 'SCENARIO_ID_MISMATCH', field: 'id', line: 2, file });
    expect((err as Error).message).toContain('expected "my-flow"');
  });

  it('loads the same file once the id matches', () => {
    const file = join(root, 'my-flow2.yaml');
    writeFileSync(file, 'id: my-flow2\ndescription: d\nsteps:\n  - launch\n');
    expect(loadScenario(file).id).toBe('my-flow2');
  });
});

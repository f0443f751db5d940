import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InputError } from './errors.js';
import { loadValidatedFile } from './validated-file.js';
import { tempDirs } from './test-support/temp-dirs.js';

const schema = z.object({ name: z.string(), steps: z.array(z.object({ wait: z.number() })) });
const dir = tempDirs('vf').root;

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('loadValidatedFile', () => {
  it('returns typed data for a valid YAML file', () => {
    const file = write('ok.yaml', 'name: a\nsteps:\n  - wait: 3\n');
    expect(loadValidatedFile(file, schema)).toEqual({ name: 'a', steps: [{ wait: 3 }] });
  });

  it('names file, line and field path when a value has the wrong type', () => {
    const file = write('bad.yaml', 'name: a\nsteps:\n  - wait: 3\n  - wait: soon\n');
    try {
      loadValidatedFile(file, schema, 'scenario');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const err = e as InputError;
      expect(err.field).toBe('steps.1.wait');
      expect(err.line).toBe(4);
      expect(err.message).toContain(`${file}:4, field "steps.1.wait"`);
      expect(err.message).toMatch(/expected number/);
    }
  });

  it('reports syntax errors with a line, for JSON too', () => {
    const file = write('bad.json', '{"name": "a",\n "steps": [\n}');
    expect(() => loadValidatedFile(file, schema)).toThrow(/bad\.json:\d+: not valid JSON/);
  });

  it('names a missing file', () => {
    expect(() => loadValidatedFile(join(dir, 'nope.yaml'), schema)).toThrow(/nope\.yaml: cannot read/);
  });
});

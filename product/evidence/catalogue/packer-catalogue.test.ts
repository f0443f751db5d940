import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { readCompiledPackerCatalogue } from './compiled-packer-catalogue.js';
import { compilePackerCatalogue, loadPackerCatalogue, PACKER_CATALOGUE_FILE } from './packer-catalogue.js';

const dir = mkdtempSync(join(tmpdir(), 'consentry-packer-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let seq = 0;
function yamlFile(text: string): string {
  const file = join(dir, `packers-${++seq}.yaml`);
  writeFileSync(file, text);
  return file;
}

const HEADER = `threshold: 2
weights: { application-class: 2, native-library: 2, component-class: 1, asset: 1, dex-class: 1 }
packers:
`;
// Line 4 onwards: one valid entry.
const GOOD = `  - id: demo
    name: Demo protector
    vendor: Demo Ltd
    sources: [a public write-up]
    signatures:
      native-library: ['libdemo*.so']
`;

function rejection(text: string): InputError {
  const file = yamlFile(text);
  try {
    loadPackerCatalogue(file);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe(file);
    return err as InputError;
  }
  throw new Error('the catalogue was accepted');
}

describe('packer catalogue', () => {
  it('loads the shipped catalogue: unique ids, each with sources and a reachable threshold', () => {
    const catalogue = loadPackerCatalogue();
    const ids = catalogue.packers.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['qihoo-jiagu', 'tencent-legu', 'secneo-bangcle', 'ijiami', 'baidu-protect', 'netease-yidun']));
    for (const p of catalogue.packers) {
      expect(p.sources.length, p.id).toBeGreaterThan(0);
      expect(p.signatures.reduce((s, sig) => s + sig.weight, 0), p.id).toBeGreaterThanOrEqual(catalogue.threshold);
    }
  });

  it('resolves kind weights and per-signature overrides', () => {
    const catalogue = loadPackerCatalogue();
    const ijiami = catalogue.packers.find((p) => p.id === 'ijiami')!;
    expect(ijiami.signatures).toContainEqual({ kind: 'application-class', match: 'com.shell.SuperApplication', weight: 2 });
    expect(ijiami.signatures).toContainEqual({ kind: 'native-library', match: 'libexec.so', weight: 1 });
    expect(ijiami.signatures).toContainEqual({ kind: 'asset', match: 'ijiami.dat', weight: 1 });
  });

  it('accepts a minimal valid catalogue', () => {
    expect(loadPackerCatalogue(yamlFile(HEADER + GOOD)).packers.map((p) => p.id)).toEqual(['demo']);
  });

  it('names file, line and field of a library pattern with a path in it', () => {
    const err = rejection(HEADER + GOOD.replace("['libdemo*.so']", "['lib/arm64-v8a/libdemo.so']"));
    expect(err.code).toBe('FILE_INVALID');
    expect(err.field).toBe('packers.0.signatures.native-library.0');
    expect(err.line).toBe(9);
    expect(err.message).toMatch(/expected a library file name/);
  });

  it('refuses a glob with more than two stars', () => {
    const err = rejection(HEADER + GOOD.replace("['libdemo*.so']", "['lib*d*e*.so']"));
    expect(err.field).toBe('packers.0.signatures.native-library.0');
    expect(err.message).toMatch(/at most 2 \*/);
  });

  it('names the line of a duplicate id', () => {
    const err = rejection(HEADER + GOOD + GOOD);
    expect(err.field).toBe('packers.1.id');
    expect(err.line).toBe(10);
    expect(err.message).toMatch(/duplicate packer id "demo"/);
  });

  it('refuses a packer that could never reach the threshold', () => {
    const err = rejection(HEADER + GOOD.replace("native-library: ['libdemo*.so']", 'asset: [demo.dat]'));
    expect(err.field).toBe('packers.0.signatures');
    expect(err.message).toMatch(/weigh 1 in all, below the threshold 2/);
  });

  it('refuses an unknown signature kind, a missing source and a bad weight', () => {
    expect(rejection(HEADER + GOOD.replace('native-library:', 'so-name:')).field).toBe('packers.0.signatures');
    expect(rejection(HEADER + GOOD.replace('sources: [a public write-up]', 'sources: []')).field).toBe('packers.0.sources');
    expect(rejection(HEADER + GOOD.replace("['libdemo*.so']", "[{ match: libdemo.so, weight: 0 }]")).field).toBe(
      'packers.0.signatures.native-library.0.weight',
    );
  });

  it('reports a YAML syntax error with its line', () => {
    const err = rejection(`${HEADER}${GOOD}  - id: [unclosed\n`);
    expect(err.code).toBe('FILE_SYNTAX');
    expect(err.line).toBeGreaterThanOrEqual(10);
  });

  it('has a compiled form equal to the YAML, ignored once the YAML changes', () => {
    const yaml = join(dir, 'compiled.yaml');
    const json = join(dir, 'compiled.json');
    writeFileSync(yaml, readFileSync(PACKER_CATALOGUE_FILE, 'utf8'));
    compilePackerCatalogue(yaml, json);
    const compiled = readCompiledPackerCatalogue(yaml, json);
    expect(compiled?.packers).toEqual(loadPackerCatalogue(yaml).packers);
    writeFileSync(yaml, `${readFileSync(yaml, 'utf8')}${GOOD}`);
    expect(readCompiledPackerCatalogue(yaml, json)).toBeUndefined();
    expect(loadPackerCatalogue(yaml).packers.map((p) => p.id)).toContain('demo');
  });
});

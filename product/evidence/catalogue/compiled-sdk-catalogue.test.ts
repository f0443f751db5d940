import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCompiledSdkCatalogue, SDK_CATALOGUE_FILE } from './compiled-sdk-catalogue.js';
import { compileSdkCatalogue, loadSdkCatalogue } from './sdk-catalogue.js';

const dir = mkdtempSync(join(tmpdir(), 'consentry-compiled-catalogue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A private copy of the shipped YAML and its compiled form, so a test may edit both. */
function compiledCopy(name: string): { yaml: string; json: string } {
  const yaml = join(dir, `${name}.yaml`);
  const json = join(dir, `${name}.compiled.json`);
  copyFileSync(SDK_CATALOGUE_FILE, yaml);
  compileSdkCatalogue(yaml, json);
  return { yaml, json };
}

const EXTRA_SDK = `
- id: extra-sdk
  name: Extra SDK
  vendor: Extra Ltd
  packages: [com.extra.sdk]
  category: analytics
  source: a fixture of this test
`;

describe('compiled SDK catalogue', () => {
  it('holds exactly the entries the YAML loader gives, defaults applied', () => {
    const { yaml, json } = compiledCopy('same');
    const compiled = readCompiledSdkCatalogue(yaml, json);
    expect(compiled).toEqual(loadSdkCatalogue(yaml).entries);
    expect(compiled!.length).toBeGreaterThanOrEqual(200);
    expect(compiled!.every((e) => typeof e.source === 'string' && e.source.length > 0)).toBe(true);
    expect(compiled!.every((e) => Array.isArray(e.aliases) && Array.isArray(e.domains))).toBe(true);
  });

  it('is ignored once the YAML changes, and the YAML is read instead', () => {
    const { yaml, json } = compiledCopy('stale');
    writeFileSync(yaml, readFileSync(yaml, 'utf8') + EXTRA_SDK);
    expect(readCompiledSdkCatalogue(yaml, json)).toBeUndefined();
    expect(loadSdkCatalogue(yaml).sdkForClass('com.extra.sdk.Agent')?.id).toBe('extra-sdk');
  });

  it('is ignored when absent, not JSON, or of another format version', () => {
    const { yaml, json } = compiledCopy('broken');
    expect(readCompiledSdkCatalogue(yaml, join(dir, 'absent.json'))).toBeUndefined();
    const doc = JSON.parse(readFileSync(json, 'utf8')) as Record<string, unknown>;
    writeFileSync(json, JSON.stringify({ ...doc, format: 999 }));
    expect(readCompiledSdkCatalogue(yaml, json)).toBeUndefined();
    writeFileSync(json, '{ not json');
    expect(readCompiledSdkCatalogue(yaml, json)).toBeUndefined();
  });

  it('is never written from a YAML the schema refuses', () => {
    const yaml = join(dir, 'invalid.yaml');
    const json = join(dir, 'invalid.compiled.json');
    writeFileSync(yaml, readFileSync(SDK_CATALOGUE_FILE, 'utf8') + EXTRA_SDK.replace('packages: [com.extra.sdk]', 'packages: []'));
    expect(() => compileSdkCatalogue(yaml, json)).toThrow(/SDK catalogue/);
    expect(readCompiledSdkCatalogue(yaml, json)).toBeUndefined();
  });
});

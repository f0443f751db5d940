import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigSchema, DEFAULT_POLICY_MAX_BYTES, loadConfig } from './config.js';
import { tempDirs } from './test-support/temp-dirs.js';

const temp = tempDirs('config');

describe('configuration defaults', () => {
  it('fills every section from its own fields\' defaults when the section is absent', () => {
    const c = ConfigSchema.parse({});
    expect(c.adb).toEqual({ path: 'adb', host: '127.0.0.1', port: 5037 });
    expect(c.farm).toMatchObject({ queue: 'consentry', jobLeaseMs: 60_000 });
    expect(c.devices).toMatchObject({ maxConsecutiveFailures: 3, heartbeatMs: 10_000 });
    expect(c.reports.failOn).toBe('high');
    expect(c.policy.maxBytes).toBe(DEFAULT_POLICY_MAX_BYTES);
  });

  it('keeps the defaults of the fields a partial section leaves out', () => {
    expect(ConfigSchema.parse({ adb: { port: 5038 } }).adb).toEqual({ path: 'adb', host: '127.0.0.1', port: 5038 });
  });

  it('reads an empty or comments-only file as all defaults', () => {
    const dir = temp.make();
    writeFileSync(join(dir, 'consentry.config.yaml'), '# nothing set yet\n');
    const loaded = loadConfig(undefined, dir);
    expect(loaded.file).toBe(join(dir, 'consentry.config.yaml'));
    expect(loaded.config.adb.port).toBe(5037);
  });
});

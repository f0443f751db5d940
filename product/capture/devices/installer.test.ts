import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstallError } from './errors.js';
import { FakeHandset } from './test-support/fake-device.js';
import { installApp, parsePmResult } from './installer.js';
import { DeviceJournal } from './journal.js';
import { DeviceProfileSchema } from './profile-schema.js';

let dir: string;
const apk = (name: string, bytes = 100) => {
  const path = join(dir, name);
  writeFileSync(path, Buffer.alloc(bytes, 7));
  return { path, size: bytes };
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'consentry-install-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function handset(pm: (c: string) => string | undefined) {
  const h = new FakeHandset({ serial: 'I1' });
  h.responders.push(pm);
  return h;
}
const target = (h: FakeHandset, over: object = {}) => ({ serial: h.serial, device: h, profile: DeviceProfileSchema.parse({ id: 'p', ...over }) });

describe('installApp', () => {
  it('installs one APK with pm install -r -t (no -g) and verifies with pm path', async () => {
    const h = handset((c) => (c.startsWith('pm install -r -t') ? 'Success\n' : c === 'pm path com.example.app' ? 'package:/data/app/com.example.app-1/base.apk\n' : undefined));
    const journal = new DeviceJournal('I1');
    const result = await installApp(target(h), { packageName: 'com.example.app', files: [apk('a.apk')] }, journal);
    expect(result).toMatchObject({ method: 'install', files: 1, devicePaths: ['/data/app/com.example.app-1/base.apk'] });
    expect(h.commands.find((c) => c.startsWith('pm install'))).toBe('pm install -r -t /data/local/tmp/consentry-com.example.app-0.apk');
    expect(h.commands).toContain('rm -f /data/local/tmp/consentry-com.example.app-0.apk');
    expect(journal.entries()[0]).toMatchObject({ action: 'install', undo: [{ command: 'pm uninstall com.example.app' }] });
  });

  it('installs splits in one session: create, write each (base first), commit', async () => {
    const h = handset((c) => {
      if (c.startsWith('pm install-create')) return 'Success: created install session [1234]\n';
      if (c.startsWith('pm install-write')) return 'Success: streamed 100 bytes\n';
      if (c === 'pm install-commit 1234') return 'Success\n';
      if (c === 'pm path com.example.split') return 'package:/data/app/x/base.apk\npackage:/data/app/x/split_config.arm64_v8a.apk\n';
      return undefined;
    });
    const files = [apk('base.apk', 300), { ...apk('s1.apk', 50), splitName: 'config.arm64_v8a' }];
    const result = await installApp(target(h), { packageName: 'com.example.split', files });
    expect(result).toMatchObject({ method: 'install-multiple', files: 2, bytes: 350 });
    const pm = h.commands.filter((c) => c.startsWith('pm install'));
    expect(pm).toEqual([
      'pm install-create -r -t -S 350',
      'pm install-write -S 300 1234 0_base.apk /data/local/tmp/consentry-com.example.split-0.apk',
      'pm install-write -S 50 1234 1_config.arm64_v8a.apk /data/local/tmp/consentry-com.example.split-1.apk',
      'pm install-commit 1234',
    ]);
  });

  it('abandons the session when the commit fails and reports the package manager code', async () => {
    const h = handset((c) => {
      if (c.startsWith('pm install-create')) return 'Success: created install session [77]\n';
      if (c.startsWith('pm install-write')) return 'Success\n';
      if (c.startsWith('pm install-commit')) return 'Failure [INSTALL_FAILED_MISSING_SPLIT: Missing split for com.x]\n';
      return undefined;
    });
    const err = (await installApp(target(h), { packageName: 'com.example.x', files: [apk('b.apk'), apk('c.apk')] }).catch((e: unknown) => e)) as InstallError;
    expect(err).toBeInstanceOf(InstallError);
    expect(err.message).toMatch(/INSTALL_FAILED_MISSING_SPLIT Missing split/);
    expect(err.retryable).toBe(false);
    expect(h.commands).toContain('pm install-abandon 77');
  });

  it('refuses an app larger than the profile allows before touching the device', async () => {
    const h = handset(() => undefined);
    await expect(installApp(target(h, { maxInstallBytes: 150 }), { packageName: 'com.big.app', files: [apk('big.apk', 200)] })).rejects.toThrow(
      /200 bytes exceed the profile p limit of 150/,
    );
    expect(h.commands).toEqual([]);
    expect(h.pushed.size).toBe(0);
  });

  it('refuses a hostile package name before any shell use', async () => {
    const h = handset(() => undefined);
    await expect(installApp(target(h), { packageName: 'a.b; reboot', files: [apk('d.apk')] })).rejects.toThrow(/not a valid Android package name/);
    expect(h.commands).toEqual([]);
  });

  it('parses package manager results', () => {
    expect(parsePmResult('Performing Streamed Install\nSuccess\n')).toEqual({ ok: true });
    expect(parsePmResult('Failure [INSTALL_FAILED_OLDER_SDK: Requires newer sdk version #34 (current version is #29)]')).toEqual({
      ok: false,
      code: 'INSTALL_FAILED_OLDER_SDK',
      detail: 'Requires newer sdk version #34 (current version is #29)',
    });
    expect(parsePmResult('Error: java.lang.IllegalStateException')).toMatchObject({ ok: false, code: 'UNKNOWN' });
  });
});

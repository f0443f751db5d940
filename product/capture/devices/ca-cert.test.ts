import { readFileSync, existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../core/process.js';
import { readCaCertificate } from './ca-cert.js';
import { planCaInstall, resolveCaMethod } from './ca-install.js';
import { DeviceProfileSchema } from './profile-schema.js';
import { makeTestCaPem } from './test-support/testing-ca.js';

async function opensslHash(pem: string): Promise<string> {
  const { stdout } = await runProcess('openssl', ['x509', '-noout', '-subject_hash_old'], { input: pem, timeoutMs: 10_000 });
  return stdout.trim();
}

describe('capture CA file name', () => {
  it('is the OpenSSL old subject hash, as Android cacerts expect (checked against openssl)', async () => {
    const pem = makeTestCaPem();
    const ca = readCaCertificate(pem);
    expect(ca.subjectHashOld).toBe(await opensslHash(pem));
    expect(ca.fileName).toBe(`${ca.subjectHashOld}.0`);
  });

  it('matches openssl on a real root with a PrintableString subject', async () => {
    const file = '/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt';
    if (!existsSync(file)) return;
    const pem = readFileSync(file, 'utf8');
    expect(readCaCertificate(pem).subjectHashOld).toBe(await opensslHash(pem));
  });

  it('rejects something that is not a certificate, naming the source', () => {
    expect(() => readCaCertificate('hello', 'ca.pem')).toThrow(/ca\.pem: not a PEM certificate/);
  });
});

describe('CA install method', () => {
  const profile = (over: object) => DeviceProfileSchema.parse({ id: 'p', ...over });

  it('auto picks apex-conscrypt on rooted Android 14+, tmpfs below, user-prompt without root', () => {
    expect(resolveCaMethod(profile({ root: 'su' }), { apiLevel: 34, root: 'su' })).toBe('apex-conscrypt');
    expect(resolveCaMethod(profile({ root: 'adbd' }), { apiLevel: 33, root: 'none' })).toBe('system-tmpfs');
    expect(resolveCaMethod(profile({}), { apiLevel: 33, root: 'none' })).toBe('user-prompt');
    expect(resolveCaMethod(profile({ ca: { method: 'system-file' } }), { apiLevel: 35, root: 'none' })).toBe('system-file');
  });

  it('the APEX script binds into zygote and app mount namespaces and says it is unverified on hardware', () => {
    const ca = readCaCertificate(makeTestCaPem());
    const plan = planCaInstall('apex-conscrypt', ca);
    expect(plan.script).toContain('mount -t tmpfs tmpfs /system/etc/security/cacerts');
    expect(plan.script).toContain('mount --bind /system/etc/security/cacerts /apex/com.android.conscrypt/cacerts');
    expect(plan.script).toMatch(/nsenter --mount=\/proc\/\$P\/ns\/mnt/);
    expect(plan.script).toContain('pidof zygote zygote64');
    expect(plan.verifyPath).toBe(`/apex/com.android.conscrypt/cacerts/${ca.fileName}`);
    expect(plan.notes.join(' ')).toMatch(/unverified on hardware/);
  });
});

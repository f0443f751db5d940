import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../core/process.js';
import { loadOrCreateCaptureCa, subjectHashOld } from './capture-ca.js';

const root = mkdtempSync(join(tmpdir(), 'consentry-ca-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('capture CA', () => {
  const stateDir = join(root, 'state');
  const ca = loadOrCreateCaptureCa(stateDir);

  it('is generated once and reused', () => {
    const again = loadOrCreateCaptureCa(stateDir);
    expect(again.sha256).toBe(ca.sha256);
    expect(again.certPem).toBe(ca.certPem);
  });

  it('keeps the private key readable by its owner only', () => {
    expect(statSync(ca.keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(ca.mitmproxyConfDir, 'mitmproxy-ca.pem')).mode & 0o777).toBe(0o600);
  });

  it('computes the same subject_hash_old and fingerprint as openssl', async () => {
    const hash = await runProcess('openssl', ['x509', '-noout', '-subject_hash_old', '-in', ca.certFile]);
    expect(ca.subjectHashOld).toBe(hash.stdout.trim());
    expect(ca.androidSystemFileName).toBe(`${hash.stdout.trim()}.0`);
    const fp = await runProcess('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', ca.certFile]);
    expect(ca.sha256).toBe(fp.stdout.trim().split('=')[1]!.replace(/:/g, '').toLowerCase());
  });

  it('matches openssl on a certificate it did not make', async () => {
    const dir = join(root, 'other');
    await runProcess('mkdir', ['-p', dir]);
    await runProcess('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/C=CN/ST=Beijing/O=Example Org/OU=QA/CN=Other Root',
      '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'),
    ]);
    const expected = await runProcess('openssl', ['x509', '-noout', '-subject_hash_old', '-in', join(dir, 'c.pem')]);
    const { readFileSync } = await import('node:fs');
    expect(subjectHashOld(readFileSync(join(dir, 'c.pem'), 'utf8'))).toBe(expected.stdout.trim());
  });

  it('refuses a state folder under the captures folder', () => {
    expect(() => loadOrCreateCaptureCa(join(root, 'captures', 'state'), { capturesRoot: join(root, 'captures') })).toThrow(/must not live under the captures folder/);
  });
});

import { describe, expect, it } from 'vitest';
import { readCaCertificate } from './ca-cert.js';
import { OK_MARKER } from './ca-install.js';
import { FakeHandset } from './test-support/fake-device.js';
import { readFacts } from './facts.js';
import { DevicePreparer, grantedRuntimePermissions } from './preparer.js';
import { DeviceProfileSchema } from './profile-schema.js';
import { makeTestCaPem } from './test-support/testing-ca.js';

/** A handset whose settings and files behave like a phone's, enough to check set-then-undo. */
function phone(spec: ConstructorParameters<typeof FakeHandset>[0] = { serial: 'P1' }) {
  const h = new FakeHandset(spec);
  const settings = new Map<string, string>();
  const files = new Map<string, string>();
  h.responders.push((c) => {
    let m = /^settings get global (\S+)$/.exec(c);
    if (m) return `${settings.get(m[1]!) ?? 'null'}\n`;
    m = /^settings put global (\S+) (\S+)$/.exec(c);
    if (m) return settings.set(m[1]!, m[2]!.replace(/^'|'$/g, '')), '';
    m = /^settings delete global (\S+)$/.exec(c);
    if (m) return settings.delete(m[1]!), 'Deleted 1 rows\n';
    m = /^cat (\S+)$/.exec(c);
    if (m) return files.get(m[1]!) ?? h.pushed.get(m[1]!)?.toString('utf8') ?? `cat: ${m[1]}: No such file or directory\n`;
    m = /^rm -f (\S+)$/.exec(c);
    if (m) return h.pushed.delete(m[1]!), '';
    return undefined;
  });
  return { h, settings, files };
}

async function target(h: FakeHandset, profile: object) {
  return { serial: h.serial, device: h, profile: DeviceProfileSchema.parse({ id: 'p', ...profile }), facts: await readFacts(h) };
}

describe('DevicePreparer proxy', () => {
  it('sets adb reverse and the global proxy, then teardown restores both', async () => {
    const { h, settings } = phone();
    const prep = new DevicePreparer(await target(h, {}));
    const setup = await prep.setProxy(41234);
    expect(setup).toEqual({ method: 'adb-reverse', proxy: '127.0.0.1:41234' });
    expect(h.reverses.get('tcp:41234')).toBe('tcp:41234');
    expect(settings.get('http_proxy')).toBe('127.0.0.1:41234');

    const report = await prep.teardown();
    expect(report.failed).toEqual([]);
    expect(h.reverses.size).toBe(0);
    expect(settings.has('http_proxy')).toBe(false);
    // ":0" goes first: "settings delete" alone takes effect only after a reboot on some releases.
    expect(h.commands.indexOf('settings put global http_proxy :0')).toBeLessThan(h.commands.indexOf('settings delete global http_proxy'));
    expect(prep.journal.entries().find((e) => e.action === 'proxy')?.status).toBe('undone');
  });

  it('restores a proxy the phone already had', async () => {
    const { h, settings } = phone();
    settings.set('http_proxy', '10.0.0.1:3128');
    const prep = new DevicePreparer(await target(h, { proxy: { method: 'adb-reverse', devicePort: 8080 } }));
    await prep.setProxy(41234);
    expect(h.reverses.get('tcp:8080')).toBe('tcp:41234');
    await prep.teardown();
    expect(settings.get('http_proxy')).toBe('10.0.0.1:3128');
  });

  it('fails loudly when the setting does not stick, and still undoes what it did', async () => {
    const { h } = phone();
    h.responders.unshift((c) => (c === 'settings get global http_proxy' ? 'null\n' : undefined));
    const prep = new DevicePreparer(await target(h, {}));
    await expect(prep.setProxy(5000)).rejects.toThrow(/reads back "null"/);
    await prep.teardown();
    expect(h.reverses.size).toBe(0);
  });
});

describe('DevicePreparer CA', () => {
  const ca = readCaCertificate(makeTestCaPem());

  it('system-file: writes <hash>.0 into the system store, verifies it, removes it at teardown', async () => {
    const { h } = phone();
    const prep = new DevicePreparer(await target(h, { ca: { method: 'system-file' } }));
    const setup = await prep.installCa(ca);
    expect(setup).toMatchObject({ method: 'system-file', verified: true });
    expect(h.pushed.get(`/system/etc/security/cacerts/${ca.fileName}`)?.toString()).toBe(ca.pem);
    await prep.teardown();
    expect(h.pushed.has(`/system/etc/security/cacerts/${ca.fileName}`)).toBe(false);
  });

  it('system-tmpfs with su: runs the overlay script as root and reads the certificate back', async () => {
    const { h } = phone({ serial: 'R1', su: true, props: { 'ro.build.version.sdk': '33' } });
    h.responders.unshift((c) => {
      if (c.startsWith('su -c ') && c.includes('mount -t tmpfs')) return `${OK_MARKER}\n`;
      if (c.startsWith('su -c ') && c.includes(`cat /system/etc/security/cacerts/${ca.fileName}`)) return ca.pem;
      return undefined;
    });
    const prep = new DevicePreparer(await target(h, { root: 'su' }));
    const setup = await prep.installCa(ca);
    expect(setup).toMatchObject({ method: 'system-tmpfs', verified: true });
    expect(h.pushed.has(`/data/local/tmp/consentry-ca-${ca.fileName}`)).toBe(true);
    await prep.teardown();
    expect(h.commands).toContain("su -c 'umount /system/etc/security/cacerts'");
  });

  it('reports a failed root script with its output', async () => {
    const { h } = phone({ serial: 'R1', su: true });
    h.responders.unshift((c) => (c.startsWith('su -c ') && c.includes('mount') ? 'mount: Permission denied\n' : undefined));
    const prep = new DevicePreparer(await target(h, { root: 'su', ca: { method: 'system-tmpfs' } }));
    await expect(prep.installCa(ca)).rejects.toThrow(/Permission denied/);
    expect(prep.journal.entries().at(-1)).toMatchObject({ action: 'ca', status: 'failed' });
  });

  it('no root: pushes the certificate and records the manual step instead of pretending', async () => {
    const { h } = phone();
    const prep = new DevicePreparer(await target(h, {}));
    const setup = await prep.installCa(ca);
    expect(setup).toMatchObject({ method: 'user-prompt', verified: false });
    expect(prep.journal.entries().some((e) => e.status === 'manual' && /Install a certificate/.test(e.detail))).toBe(true);
  });
});

describe('DevicePreparer reset and clock', () => {
  const dump = `Packages:
  Package [com.example.app] (abc):
    requested permissions:
      android.permission.CAMERA
      android.permission.ACCESS_FINE_LOCATION
    install permissions:
      android.permission.INTERNET: granted=true
    User 0: ceDataInode=1 installed=true
      runtime permissions:
        android.permission.ACCESS_FINE_LOCATION: granted=false, flags=[ USER_SET|USER_FIXED ]
        android.permission.CAMERA: granted=true, flags=[ USER_SET ]
        android.permission.READ_CONTACTS: granted=true, flags=[ ]
      enabledComponents:
`;

  it('finds granted runtime permissions only', () => {
    expect(grantedRuntimePermissions(dump)).toEqual(['android.permission.CAMERA', 'android.permission.READ_CONTACTS']);
  });

  it('revokes them and clears the user flags; clear policy also clears data', async () => {
    const { h } = phone();
    h.responders.unshift((c) => (c === 'dumpsys package com.example.app' ? dump : c === 'pm clear com.example.app' ? 'Success' : undefined));
    const prep = new DevicePreparer(await target(h, { reset: 'clear' }));
    await prep.resetApp('com.example.app');
    expect(h.commands).toEqual(
      expect.arrayContaining([
        'pm clear com.example.app',
        'pm revoke com.example.app android.permission.CAMERA',
        'pm revoke com.example.app android.permission.READ_CONTACTS',
        'pm clear-permission-flags com.example.app android.permission.CAMERA user-set user-fixed',
      ]),
    );
  });

  it('refuses a hostile package name before any shell command', async () => {
    const { h } = phone();
    const prep = new DevicePreparer(await target(h, {}));
    const before = h.commands.length;
    await expect(prep.uninstall('com.evil;reboot')).rejects.toThrow(/not a valid Android package name/);
    expect(h.commands.length).toBe(before);
  });

  it('without root turns on network time (and restores it), with root sets the date', async () => {
    const { h, settings } = phone({ serial: 'P1', clockSkewMs: -120_000 });
    settings.set('auto_time', '0');
    const prep = new DevicePreparer(await target(h, {}));
    await prep.syncClock();
    expect(settings.get('auto_time')).toBe('1');
    await prep.teardown();
    expect(settings.get('auto_time')).toBe('0');

    const rooted = phone({ serial: 'R1', su: true, clockSkewMs: -120_000 });
    const prepRoot = new DevicePreparer(await target(rooted.h, { root: 'su' }));
    await prepRoot.syncClock();
    expect(rooted.h.commands.some((c) => /^su -c 'date @\d{10}'$/.test(c))).toBe(true);
  });
});

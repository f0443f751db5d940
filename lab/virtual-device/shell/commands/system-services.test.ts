import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { parseParcelString, phoneSubInfoCodes } from '../../../../product/capture/devices/identifiers.js';
import { VirtualPhoneOs } from '../../os/phone-os.js';
import { ShellInterpreter } from '../interpreter.js';
import { CollectingSink } from '../io.js';
import { testShell } from '../test-support/test-shell.js';
import { shellCommands } from './index.js';

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const d of disposers.splice(0)) await d();
});

/** A phone of the API level given and its shell. */
function phoneAt(apiLevel: number, shellPrivilegedPhoneState?: boolean) {
  const storageDir = mkdtempSync(join(tmpdir(), 'vd-subinfo-test-'));
  const os = new VirtualPhoneOs({ index: 3, storageDir, identity: { apiLevel, ...(shellPrivilegedPhoneState === undefined ? {} : { shellPrivilegedPhoneState }) } });
  const shell = new ShellInterpreter(os, shellCommands());
  disposers.push(async () => {
    await os.dispose();
    rmSync(storageDir, { recursive: true, force: true });
  });
  const run = async (line: string) => {
    const out = new CollectingSink();
    await shell.runLine(line, { stdin: Readable.from([]), stdout: out, stderr: new CollectingSink() }, new AbortController().signal);
    return out.text;
  };
  return { os, run };
}

describe('service call iphonesubinfo', () => {
  it('gives the shell every identifier up to API 28, at that release\'s transaction codes', async () => {
    const { os, run } = phoneAt(28);
    const codes = phoneSubInfoCodes(28);
    const out = await run(`service call iphonesubinfo ${codes['device-id']} s16 com.android.shell`);
    expect(out).toMatch(/^Result: Parcel\(\n {2}0x00000000: 00000000 0000000f /);
    expect(parseParcelString(out)).toBe(os.identity.imei);
    expect(parseParcelString(await run(`service call iphonesubinfo ${codes['subscriber-id']}`))).toBe(os.identity.imsi);
    expect(parseParcelString(await run(`service call iphonesubinfo ${codes['sim-serial']}`))).toBe(os.identity.iccid);
    expect(parseParcelString(await run(`service call iphonesubinfo ${codes['phone-number']}`))).toBe(os.identity.phoneNumber);
  });

  it('gives an AOSP shell (READ_PRIVILEGED_PHONE_STATE) the identifiers on API 29+ too', async () => {
    const { os, run } = phoneAt(33);
    expect(parseParcelString(await run('service call iphonesubinfo 1 s16 com.android.shell'))).toBe(os.identity.imei);
    expect(parseParcelString(await run('service call iphonesubinfo 8 s16 com.android.shell'))).toBe(os.identity.imsi);
  });

  it('on a build whose shell lacks it, refuses device identifiers from API 29 with a SecurityException parcel, but not the number', async () => {
    const { os, run } = phoneAt(33, false);
    const imei = await run('service call iphonesubinfo 1 s16 com.android.shell');
    expect(imei).toMatch(/^Result: Parcel\(\n {2}0x00000000: ffffffff /);
    expect(imei).toContain("'m.e.e.t. .t.h.e.'");
    expect(imei).toMatch(/'r\.s\.\.\.\.\. {8}'\)\n$/);
    expect(parseParcelString(imei)).toBeUndefined();
    expect(parseParcelString(await run('service call iphonesubinfo 8 s16 com.android.shell'))).toBeUndefined();
    expect(parseParcelString(await run('service call iphonesubinfo 15 s16 com.android.shell'))).toBe(os.identity.phoneNumber);
  });

  it('answers a method it does not model with a null string', async () => {
    const { run } = phoneAt(33);
    expect(await run('service call iphonesubinfo 40')).toBe("Result: Parcel(00000000 ffffffff '........')\n");
  });
});

describe('service call (other services)', () => {
  it('answers other services with an empty parcel', async () => {
    const t = testShell();
    disposers.push(() => t.dispose());
    expect((await t.run('service call phone 3')).out).toBe("Result: Parcel(00000000    '....')\n");
  });
});

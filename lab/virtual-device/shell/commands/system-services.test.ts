import { afterEach, describe, expect, it } from 'vitest';
import { parseParcelString } from '../../../../product/capture/devices/identifiers.js';
import { testShell } from '../test-support/test-shell.js';

const shells: ReturnType<typeof testShell>[] = [];
afterEach(async () => {
  for (const t of shells.splice(0)) await t.dispose();
});

describe('service call', () => {
  it('answers getDeviceId with the IMEI in a Parcel that the harness can read back', async () => {
    const t = testShell();
    shells.push(t);
    const out = (await t.run('service call iphonesubinfo 1 s16 com.android.shell')).out;
    expect(out).toMatch(/^Result: Parcel\(\n {2}0x00000000: 00000000 0000000f /);
    expect(parseParcelString(out)).toBe(t.os.identity.imei);
  });

  it('answers other transactions with an empty parcel', async () => {
    const t = testShell();
    shells.push(t);
    expect((await t.run('service call phone 3')).out).toBe("Result: Parcel(00000000    '....')\n");
  });
});

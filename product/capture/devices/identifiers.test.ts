import { describe, expect, it } from 'vitest';
import type { AdbDevice } from './adb-device.js';
import { parseParcelString, parseSerial, phoneSubInfoCodes, readDeviceIdentifiers } from './identifiers.js';

/** Replies written for these tests in the shapes real phones print (research/device SHAPES.md §11). */
const IMEI_REPLY = [
  'Result: Parcel(',
  "  0x00000000: 00000000 0000000f 00360038 00310032 '........8.6.2.1.'",
  "  0x00000010: 00340030 00380037 00320039 00350036 '0.4.7.8.9.2.6.5.'",
  "  0x00000020: 00310033 00000037                   '3.1.7...        ')",
].join('\n');

/** An IMSI of 15 digits, as an old adb PTY delivers it (CRLF). */
const IMSI_REPLY_CRLF = [
  'Result: Parcel(',
  "  0x00000000: 00000000 0000000f 00360034 00300030 '........4.6.0.0.'",
  "  0x00000010: 00310031 00330032 00350034 00370036 '1.1.2.3.4.5.6.7.'",
  "  0x00000020: 00390038 00000030                   '8.9.0...        ')",
].join('\r\n');

const SECURITY_EXCEPTION = [
  'Result: Parcel(',
  "  0x00000000: ffffffff 00000015 00650067 00440074 '........g.e.t.D.'",
  "  0x00000010: 00760065 00630069 00490065 003a0064 'e.v.i.c.e.I.d.:.'",
  "  0x00000020: 00540020 00650068 00750020 00650073 ' .T.h.e. .u.s.e.'",
  "  0x00000030: 00000072                            'r...            ')",
].join('\n');

describe('parseParcelString', () => {
  it('reads a multi-row String16 reply, with LF or CRLF rows', () => {
    expect(parseParcelString(IMEI_REPLY)).toBe('862104789265317');
    expect(parseParcelString(IMSI_REPLY_CRLF)).toBe('460011234567890');
  });

  it('reads the reply after a shell prompt and an echoed command', () => {
    expect(parseParcelString(`walleye:/ $ service call iphonesubinfo 1\n${IMEI_REPLY}\n`)).toBe('862104789265317');
  });

  it('gives nothing, never garbage, for an exception, a null string, a boolean or a cut dump', () => {
    expect(parseParcelString(SECURITY_EXCEPTION)).toBeUndefined();
    expect(parseParcelString("Result: Parcel(00000000 ffffffff '........')")).toBeUndefined();
    expect(parseParcelString("Result: Parcel(00000000 00000001   '........')\r\n")).toBeUndefined();
    expect(parseParcelString(IMEI_REPLY.split('\n').slice(0, 3).join('\n'))).toBeUndefined();
    expect(parseParcelString('service: not found')).toBeUndefined();
  });
});

describe('phoneSubInfoCodes', () => {
  it('uses the transaction codes of the API level asked', () => {
    expect(phoneSubInfoCodes(28)).toEqual({ 'device-id': 1, 'subscriber-id': 7, 'sim-serial': 11, 'phone-number': 13 });
    expect(phoneSubInfoCodes(33)).toEqual({ 'device-id': 1, 'subscriber-id': 8, 'sim-serial': 12, 'phone-number': 15 });
    expect(phoneSubInfoCodes(36)['sim-serial']).toBe(13);
    expect(phoneSubInfoCodes(undefined)).toEqual({ 'device-id': 1 });
  });
});

describe('parseSerial', () => {
  it('takes a bare serial and refuses unknown, empty or short values', () => {
    expect(parseSerial('R5CT30ABCDE\r\n')).toBe('R5CT30ABCDE');
    expect(parseSerial('unknown\n')).toBeUndefined();
    expect(parseSerial('\n')).toBeUndefined();
    expect(parseSerial('0123')).toBeUndefined();
  });
});

describe('readDeviceIdentifiers', () => {
  /** A phone at API 28 whose shell may read everything, replying per command. */
  function phone(replies: Record<string, string>): AdbDevice {
    return { shell: async (cmd: string) => replies[cmd] ?? '' } as unknown as AdbDevice;
  }

  it('reads the IMSI and the serial, and keeps a wrong-shaped reply out', async () => {
    const ids = await readDeviceIdentifiers(
      phone({
        'getprop ro.build.version.sdk': '28\n',
        'service call iphonesubinfo 1 s16 com.android.shell': IMEI_REPLY,
        'service call iphonesubinfo 7 s16 com.android.shell': IMSI_REPLY_CRLF,
        // An OEM build whose code 11 is another method: an IMEI-like string is not an ICCID.
        'service call iphonesubinfo 11 s16 com.android.shell': IMEI_REPLY,
        'service call iphonesubinfo 13 s16 com.android.shell': SECURITY_EXCEPTION,
        'getprop ro.serialno': 'R5CT30ABCDE\n',
      }),
    );
    expect(ids['device-id']).toEqual(['862104789265317']);
    expect(ids['subscriber-id']).toEqual(['460011234567890']);
    expect(ids['sim-serial']).toBeUndefined();
    expect(ids['phone-number']).toBeUndefined();
    expect(ids.serial).toEqual(['R5CT30ABCDE']);
  });
});

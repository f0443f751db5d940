import { describe, expect, it } from 'vitest';
import { parseParcelString } from './identifiers.js';

describe('parseParcelString', () => {
  it('reads the IMEI from a service call reply as Android prints it', () => {
    const reply = [
      'Result: Parcel(',
      "  0x00000000: 00000000 0000000f 00350033 00300030 '........3.5.0.0.'",
      "  0x00000010: 00300030 00300031 00300030 00300030 '0.0.1.0.0.0.0.0.'",
      "  0x00000020: 00300030 00000035                   '0.0.5...        ')",
    ].join('\n');
    expect(parseParcelString(reply)).toBe('350000100000005');
  });

  it('returns nothing for an error status or an empty parcel', () => {
    expect(parseParcelString("Result: Parcel(fffffffc ffffffff '........')")).toBeUndefined();
    expect(parseParcelString("Result: Parcel(00000000    '....')")).toBeUndefined();
    expect(parseParcelString('service: not found')).toBeUndefined();
  });
});

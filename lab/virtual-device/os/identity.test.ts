import { describe, expect, it } from 'vitest';
import { deriveIdentity, isLuhnValid, luhnCheckDigit } from './identity.js';

describe('device identity', () => {
  it('computes Luhn check digits (known IMEI 490154203237518)', () => {
    expect(luhnCheckDigit('49015420323751')).toBe('8');
    expect(isLuhnValid('490154203237518')).toBe(true);
    expect(isLuhnValid('490154203237519')).toBe(false);
  });

  it('derives well-formed identifiers', () => {
    const id = deriveIdentity(0);
    expect(id.imei).toMatch(/^\d{15}$/);
    expect(isLuhnValid(id.imei)).toBe(true);
    expect(id.iccid).toMatch(/^8986\d{16}$/);
    expect(isLuhnValid(id.iccid)).toBe(true);
    expect(id.imsi).toMatch(/^46001\d{10}$/);
    expect(id.androidId).toMatch(/^[0-9a-f]{16}$/);
    expect(id.wifiMac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(id.advertisingId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('is stable per index and distinct across a farm', () => {
    expect(deriveIdentity(3)).toEqual(deriveIdentity(3));
    const farm = Array.from({ length: 8 }, (_, i) => deriveIdentity(i));
    for (const key of ['serial', 'imei', 'imsi', 'iccid', 'androidId', 'wifiMac', 'advertisingId'] as const) {
      expect(new Set(farm.map((d) => d[key])).size).toBe(8);
    }
    expect(deriveIdentity(0, 'other-seed').imei).not.toBe(deriveIdentity(0).imei);
  });

  it('applies profile overrides', () => {
    expect(deriveIdentity(0, undefined, { model: 'MI 9', apiLevel: 29 })).toMatchObject({ model: 'MI 9', apiLevel: 29 });
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtIn } from '../../core/paths.js';
import { DeviceProfileSchema } from './profile-schema.js';
import { explainMatch, loadProfiles, matchProfile, type LoadedProfile } from './profiles.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'consentry-profiles-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const facts = (over: Partial<{ model: string; product: string; manufacturer: string; apiLevel: number; root: 'none' | 'su' | 'adbd'; emulator: boolean }> = {}) => ({
  model: 'SM-G991B',
  product: 'o1sxeea',
  manufacturer: 'samsung',
  apiLevel: 33,
  root: 'none' as const,
  emulator: false,
  ...over,
});

describe('shipped device profiles', () => {
  const shipped = loadProfiles(builtIn.deviceProfiles);
  const pick = (serial: string, f: ReturnType<typeof facts>) => matchProfile(shipped, { serial, facts: f })?.profile.id;

  it('all validate and have unique ids', () => {
    expect(shipped.map((p) => p.profile.id).sort()).toEqual(['emulator-google-apis', 'handset-non-rooted', 'pixel-rooted', 'virtual-device']);
  });

  it('match emulators API 29-35, rooted Pixels, the virtual device, and fall back to the non-rooted handset', () => {
    for (const api of [29, 30, 31, 32, 33, 34, 35]) {
      expect(pick('emulator-5554', facts({ apiLevel: api, model: 'sdk_gphone64_x86_64', emulator: true }))).toBe('emulator-google-apis');
    }
    // An emulator image outside the range is not claimed by the emulator profile.
    expect(pick('emulator-5554', facts({ apiLevel: 28, emulator: true }))).toBe('handset-non-rooted');
    expect(pick('1A2B3C', facts({ manufacturer: 'Google', model: 'Pixel 7', root: 'su' }))).toBe('pixel-rooted');
    expect(pick('1A2B3C', facts({ manufacturer: 'Google', model: 'Pixel 7', root: 'none' }))).toBe('handset-non-rooted');
    expect(pick('127.0.0.1:40001', facts({ model: 'Consentry Virtual' }))).toBe('virtual-device');
    expect(pick('R58M12345', facts())).toBe('handset-non-rooted');
  });

  it('say in words what they match', () => {
    const emu = shipped.find((p) => p.profile.id === 'emulator-google-apis')!;
    expect(explainMatch(emu.profile.match)).toBe('serial ~ /^emulator-\\d+$/, API 29-35');
    expect(explainMatch({})).toBe('any device (fallback)');
  });
});

describe('profile validation', () => {
  it('names file, line and field of a bad value', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'id: my-phone\nreset: format\n');
    expect(() => loadProfiles(dir)).toThrow(/bad\.yaml:2, field "reset"/);
  });

  it('rejects unknown keys (typos) and invalid regular expressions', () => {
    writeFileSync(join(dir, 'typo.yaml'), 'id: my-phone\nmatch:\n  modle: Pixel\n');
    expect(() => loadProfiles(dir)).toThrow(/typo\.yaml:2, field "match"/);
    rmSync(join(dir, 'typo.yaml'));
    writeFileSync(join(dir, 'regex.yaml'), 'id: my-phone\nmatch:\n  serial: "([a-z"\n');
    expect(() => loadProfiles(dir)).toThrow(/regex\.yaml:3, field "match.serial".*regular expression/);
  });

  it('rejects duplicate ids across files', () => {
    writeFileSync(join(dir, 'a.yaml'), 'id: same\n');
    writeFileSync(join(dir, 'b.yaml'), 'id: same\n');
    expect(() => loadProfiles(dir)).toThrow(/b\.yaml, field "id": profile id "same" is also used by .*a\.yaml/);
  });

  it('fills defaults: adb-reverse proxy, uninstall reset, no frida, auto CA', () => {
    const p = DeviceProfileSchema.parse({ id: 'x' });
    expect(p.proxy.method).toBe('adb-reverse');
    expect(p.reset).toBe('uninstall');
    expect(p.frida.module).toBe('none');
    expect(p.ca.method).toBe('auto');
  });
});

describe('matching', () => {
  const make = (id: string, match: object): LoadedProfile => ({ file: `${id}.yaml`, profile: DeviceProfileSchema.parse({ id, match }) });

  it('prefers the most specific profile; ties go to the earlier file', () => {
    const profiles = [make('any', {}), make('samsung', { manufacturer: 'samsung' }), make('s21', { manufacturer: 'samsung', model: 'SM-G99.*' }), make('s21-again', { manufacturer: 'samsung', model: 'SM-G991B' })];
    expect(matchProfile(profiles, { serial: 'X', facts: facts() })?.profile.id).toBe('s21');
    expect(matchProfile(profiles, { serial: 'X', facts: facts({ model: 'SM-A505F' }) })?.profile.id).toBe('samsung');
  });

  it('matches model as a whole value, serial as a search', () => {
    const profiles = [make('pixel', { model: 'Pixel' }), make('usb', { serial: '^R58' })];
    expect(matchProfile(profiles, { serial: 'Z', facts: facts({ model: 'Pixel 7' }) })).toBeUndefined();
    expect(matchProfile(profiles, { serial: 'R58M1', facts: facts() })?.profile.id).toBe('usb');
  });

  it('criteria needing facts do not match before the facts are read', () => {
    const profiles = [make('pixel', { model: 'Pixel.*' }), make('emu', { serial: '^emulator-' })];
    expect(matchProfile(profiles, { serial: 'ABC' })).toBeUndefined();
    expect(matchProfile(profiles, { serial: 'emulator-5556' })?.profile.id).toBe('emu');
  });
});

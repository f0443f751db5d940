import { describe, expect, it } from 'vitest';
import { ERROR_CODES, errorFamily } from './error-codes.js';
import { failureOwner } from '../farm/retry-policy.js';
import { ConsentryError } from './errors.js';

describe('error codes', () => {
  it('each code belongs to exactly one family', () => {
    const all = Object.values(ERROR_CODES).flat();
    expect(all.filter((c, i) => all.indexOf(c) !== i)).toEqual([]);
    expect(errorFamily('LEASE_LOST')).toBe('device');
    expect(errorFamily('NOT_A_CODE')).toBeUndefined();
  });

  it('the farm blames the device for device codes and the app for app codes', () => {
    for (const code of ERROR_CODES.device) expect(failureOwner(new ConsentryError(code, 'x')), code).toBe('device');
    for (const code of ERROR_CODES.app) expect(failureOwner(new ConsentryError(code, 'x')), code).toBe('app');
  });
});

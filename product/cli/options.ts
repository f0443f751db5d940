import { InputError } from '../core/errors.js';

export function parseScale(raw: string, name = 'observe-scale'): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value > 10) {
    throw new InputError('BAD_OPTION', `--${name} must be a number above 0 and at most 10 (got "${raw}")`, { field: name });
  }
  return value;
}

export function parsePositiveInt(raw: string, name: string, max = 1000): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InputError('BAD_OPTION', `--${name} must be a whole number from 1 to ${max} (got "${raw}")`, { field: name });
  }
  return value;
}

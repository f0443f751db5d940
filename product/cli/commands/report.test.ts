import { describe, expect, it } from 'vitest';
import { EXIT, InputError } from '../../core/errors.js';
import { parseReportFormats } from './report.js';

describe('report formats for run --formats', () => {
  it('accepts every format the report command renders, once each', () => {
    expect(parseReportFormats('html, JSON,csv,xlsx,csv')).toEqual(['html', 'json', 'csv', 'xlsx']);
  });

  it('refuses an unknown format with a usage error naming it and the known ones', () => {
    const attempt = () => parseReportFormats('html,pdf');
    expect(attempt).toThrow(InputError);
    expect(attempt).toThrow('field "formats": unknown report format "pdf": expected a comma-separated list of html, json, junit, sarif, csv, xlsx');
    try {
      attempt();
    } catch (err) {
      expect((err as InputError).exitCode).toBe(EXIT.usage);
    }
  });
});

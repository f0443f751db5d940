import { describe, expect, it } from 'vitest';
import { cpuModel } from './machine.js';
import { formatNumber, markdownTable, ratioLine } from './report.js';

describe('benchmark output', () => {
  it('prints aligned Markdown tables that survive a pipe character in a cell', () => {
    const t = markdownTable(['tool', 'events/s'], [['consentry', 123456], ['a|b', 7.5]], ['left', 'right']);
    expect(t.split('\n')).toEqual([
      '| tool      | events/s |',
      '| --------- | -------: |',
      '| consentry |  123,456 |',
      '| a\\|b      |     7.50 |',
    ]);
  });

  it('formats counts with separators and small rates with 3 significant digits', () => {
    expect(formatNumber(1_234_567.8)).toBe('1,234,568');
    expect(formatNumber(0.4321)).toBe('0.432');
    expect(formatNumber(42)).toBe('42');
  });

  it('states the ratio against the peer and whether it meets the target', () => {
    expect(ratioLine({ metric: 'APKs/s', ours: 50, peer: 4, peerName: 'androguard', target: 10 })).toBe(
      'ratio: consentry/androguard = 12.50x APKs/s (target ≥ 10x) PASS',
    );
    expect(ratioLine({ metric: 'events/s', ours: 30, peer: 100, peerName: 'plain' , target: 1 })).toMatch(/0\.30x events\/s \(target ≥ 1x\) BELOW TARGET$/);
    expect(ratioLine({ metric: 'MB/s', ours: 3, peer: 2, peerName: 'grep' })).toBe('ratio: consentry/grep = 1.50x MB/s');
  });

  it('reads the CPU model the kernel reports', () => {
    expect(cpuModel('processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13\n')).toBe('AMD EPYC 7B13');
  });
});

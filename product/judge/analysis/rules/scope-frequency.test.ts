import { describe, expect, it } from 'vitest';
import { hookEvent, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, APP_STACK } from '../test-support/rule-harness.js';
import { rule } from './scope-frequency.js';

const reads = (n: number, every: number) => Array.from({ length: n }, (_, i) => hookEvent('location', T0 + i * every, { stack: APP_STACK }));

describe('SCOPE-FREQUENCY', () => {
  it('reports location read 12 times in a minute', () => {
    const [f] = judge(rule, { events: reads(12, 1000) });
    expect(f!.statement).toBe('The app read the location 12 times within 60 s (limit 10).');
    expect(f!.evidence.events).toHaveLength(12);
  });

  it('counts sampled storms by their count', () => {
    expect(judge(rule, { events: [hookEvent('android-id', T0, { sampled: { count: 500, windowMs: 1000 } })] })[0]!.statement).toMatch(/500 times/);
  });

  it('accepts reads spread out, and honours a per-type limit', () => {
    expect(judge(rule, { events: reads(12, 10_000) })).toEqual([]);
    expect(judge(rule, { events: reads(12, 1000) }, { thresholds: { 'maxCalls.location': 20 } })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { flow, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './kids-identifiers.js';

const adId = { dataType: 'advertising-id' as const, form: 'plain', location: 'body', value: '38400000-8cf0-11bd-b23e-10b96e40000d' };

describe('KIDS-IDENTIFIERS', () => {
  it('reports a child-directed app sending the advertising ID', () => {
    const run = { app: { package: 'com.example.kids', childDirected: true } };
    const [f] = judge(rule, { run, flows: [flow('https://ads.example.net/req', T0, { hits: [adId] })] });
    expect(f!.statement).toBe('The app sent the advertising ID to ads.example.net, which the Families policy forbids in an app for children.');
  });

  it('accepts apps not for children, and children’s apps sending allowed data', () => {
    expect(judge(rule, { flows: [flow('https://ads.example.net/req', T0, { hits: [adId] })] })).toEqual([]);
    const loc = { dataType: 'location' as const, form: 'plain', location: 'body', value: '39.9' };
    expect(judge(rule, { flows: [flow('https://ads.example.net/req', T0, { hits: [loc] })] }, { thresholds: { childDirected: true } })).toEqual([]);
  });
});

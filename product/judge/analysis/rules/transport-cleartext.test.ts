import { describe, expect, it } from 'vitest';
import { flow, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './transport-cleartext.js';

const hit = { dataType: 'android-id' as const, form: 'plain', location: 'url', value: '9774d56d682e549c' };

describe('TRANSPORT-CLEARTEXT', () => {
  it('reports an identifier sent over plain HTTP', () => {
    const [f] = judge(rule, { flows: [flow('http://log.example-stats.cn/c?aid=9774d56d682e549c', T0, { hits: [hit] })] });
    expect(f!.statement).toBe('The app sent the Android ID to log.example-stats.cn without encryption (plain HTTP).');
  });

  it('accepts HTTPS, and plain HTTP that carries no identifier', () => {
    expect(judge(rule, { flows: [flow('https://log.example-stats.cn/c', T0, { hits: [hit] }), flow('http://cdn.example.com/a.png', T0)] })).toEqual([]);
  });
});

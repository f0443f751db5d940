import { describe, expect, it } from 'vitest';
import { flow, hookEvent, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, UMENG_STACK } from '../test-support/rule-harness.js';
import { declarationsFromHtml, declarationsFromText } from '../../policy/index.js';
import { rule } from './scope-undeclared-sdk.js';

const table = (name: string) => `<table><tr><th>SDK名称</th><th>公司名称</th><th>使用目的</th><th>收集个人信息类型</th></tr><tr><td>${name}</td><td>-</td><td>统计分析</td><td>Android ID</td></tr></table>`;

describe('SCOPE-UNDECLARED-SDK', () => {
  it('reports an SDK found in the stack that the SDK list does not name', () => {
    const events = [hookEvent('android-id', T0, { stack: UMENG_STACK })];
    const [f] = judge(rule, { events }, { declarations: declarationsFromHtml(table('极光推送')) });
    expect(f!.sdk).toBe('umeng');
    expect(f!.statement).toBe("The Umeng SDK (友盟同欣（北京）科技有限公司) read the Android ID, but the policy's third-party list does not name it.");
  });

  it('reports an SDK seen only as a destination', () => {
    const f = flow('https://api.pangle.io/api/ad', T0, { hits: [{ dataType: 'device-id', form: 'md5', location: 'body', value: '86' }] });
    expect(judge(rule, { flows: [f] }, { declarations: declarationsFromText('我们收集设备信息。') })[0]!.sdk).toBe('pangle');
  });

  it('accepts an SDK named in the table or the text by an alias', () => {
    const events = [hookEvent('android-id', T0, { stack: UMENG_STACK })];
    expect(judge(rule, { events }, { declarations: declarationsFromHtml(table('友盟统计')) })).toEqual([]);
    expect(judge(rule, { events }, { declarations: declarationsFromText('我们使用了友盟+ SDK 进行统计分析。') })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { flow, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { declarationsFromText } from '../../policy/index.js';
import { rule } from './scope-undeclared-recipient.js';

const hit = { dataType: 'device-id' as const, form: 'md5', location: 'body', value: '866' };

describe('SCOPE-UNDECLARED-RECIPIENT', () => {
  it('reports identifiers sent to a domain the policy does not name', () => {
    const f = flow('https://track.adnetwork-x.com/v1/imp', T0, { hits: [hit] });
    const [found] = judge(rule, { flows: [f] }, { declarations: declarationsFromText('我们收集设备识别码用于安全风控。') });
    expect(found!.statement).toBe('The app sent the IMEI/MEID to track.adnetwork-x.com, a party (adnetwork-x.com) the policy does not name.');
  });

  it('reports an SDK’s servers when neither the SDK nor its company is named', () => {
    const f = flow('https://api-access.pangolin-sdk-toutiao.com/api/ad', T0, { hits: [hit] });
    const [found] = judge(rule, { flows: [f] }, { declarations: declarationsFromText('我们收集设备识别码。') });
    expect(found!.statement).toBe('The Pangle / CSJ SDK sent the IMEI/MEID to api-access.pangolin-sdk-toutiao.com, a party (北京巨量引擎网络技术有限公司, operator of the Pangle / CSJ SDK) the policy does not name.');
  });

  it('accepts the app’s own domains, declared SDKs and domains the policy names', () => {
    const decl = declarationsFromText('设备识别码会发送至 adnetwork-x.com 进行广告归因。我们接入了友盟+ SDK。');
    const flows = [
      flow('https://track.adnetwork-x.com/v1/imp', T0, { hits: [hit] }),
      flow('https://api.example.com/login', T0, { hits: [hit] }),
      flow('https://alog.umeng.com/app_logs', T0, { hits: [hit] }),
    ];
    expect(judge(rule, { flows }, { declarations: decl })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { hookEvent, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, UMENG_STACK, APP_STACK } from '../test-support/rule-harness.js';
import { declarationsFromText } from '../../policy/index.js';
import { rule } from './scope-undeclared-data.js';

describe('SCOPE-UNDECLARED-DATA', () => {
  it('reports a data type the policy does not name, and one it says it does not collect', () => {
    const decl = declarationsFromText('我们会收集您的位置信息用于推荐附近的商家。我们不会收集您的通讯录。', 'policy-text');
    const events = [hookEvent('location', T0, { stack: APP_STACK }), hookEvent('installed-apps', T0 + 1, { api: 'android.content.pm.PackageManager.getInstalledPackages', stack: UMENG_STACK }), hookEvent('contacts', T0 + 2)];
    const found = judge(rule, { events }, { declarations: decl });
    expect(found.map((f) => f.dataTypes)).toEqual([['installed-apps'], ['contacts']]);
    expect(found[0]!.statement).toBe('The policy and lists do not mention the list of installed apps, but the Umeng SDK read it.');
    expect(found[1]!.statement).toMatch(/^The policy says "我们不会收集您的通讯录。", but the app read it\./);
  });

  it('accepts declared types; umbrella terms count unless the lab says otherwise', () => {
    const decl = declarationsFromText('We collect device information and your location.', 'policy-text');
    const events = [hookEvent('android-id', T0), hookEvent('location', T0 + 1)];
    expect(judge(rule, { events }, { declarations: decl })).toEqual([]);
    expect(judge(rule, { events }, { declarations: decl, thresholds: { acceptUmbrellaTerms: false } }).map((f) => f.dataTypes)).toEqual([['android-id']]);
  });
});

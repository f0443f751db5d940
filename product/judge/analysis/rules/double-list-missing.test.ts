import { describe, expect, it } from 'vitest';
import { declarationsFromText } from '../../policy/index.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './double-list-missing.js';

describe('DOUBLE-LIST-MISSING', () => {
  it('reports a policy with neither list, or one of them missing', () => {
    expect(judge(rule, {}, { declarations: declarationsFromText('我们会收集您的位置信息。') })[0]!.statement).toMatch(/no personal-information collection list .* and no third-party sharing list/);
    expect(judge(rule, {}, { declarations: declarationsFromText('详见《个人信息收集清单》。') })[0]!.statement).toBe("The app's privacy declarations have no third-party sharing list (第三方共享清单).");
  });

  it('accepts a policy that carries both lists', () => {
    expect(judge(rule, {}, { declarations: declarationsFromText('请查阅《已收集个人信息清单》和《第三方信息共享清单》。') })).toEqual([]);
  });
});

import { type Rule, type RuleMeta } from '../rule.js';

export const meta: RuleMeta = {
  id: 'DOUBLE-LIST-MISSING',
  title: 'No personal-information collection list or no third-party sharing list',
  severity: 'medium',
  sources: ['N2021'],
  signal: 'declarations (policy text, lists) lack either list',
  needsDeclarations: true,
  thresholds: {},
  explain: () => 'Fails when the policy and the files given lack the personal-information collection list or the third-party sharing list (an SDK table counts as the sharing list).',
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const { collection, sharing } = ctx.declarations!.lists;
    const missing = [collection.present ? '' : 'personal-information collection list (个人信息收集清单)', sharing.present ? '' : 'third-party sharing list (第三方共享清单)'].filter(Boolean);
    if (missing.length === 0) return [];
    return [{ statement: `The app's privacy declarations have no ${missing.join(' and no ')}.`, evidence: {} }];
  },
};

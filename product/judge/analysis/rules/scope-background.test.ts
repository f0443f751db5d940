import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, APP_STACK } from '../test-support/rule-harness.js';
import { declarationsFromText } from '../../policy/index.js';
import { rule } from './scope-background.js';

describe('SCOPE-BACKGROUND', () => {
  const markers = [marker('app.launch', T0), marker('consent.accepted', T0 + 1000), marker('app.background', T0 + 10_000), marker('app.foreground', T0 + 40_000)];

  it('reports location read while the app was in the background', () => {
    const [f] = judge(rule, { markers, events: [hookEvent('location', T0 + 20_000, { stack: APP_STACK })] }, { declarations: declarationsFromText('我们会收集您的位置信息。') });
    expect(f!.statement).toBe('The app read the location 20 s after launch, while the app was in the background, which the policy does not declare.');
  });

  it('does not count a request already under way when the app went to the background', () => {
    const decl = declarationsFromText('我们会收集您的位置信息。');
    expect(judge(rule, { markers, events: [hookEvent('location', T0 + 10_500, { stack: APP_STACK })] }, { declarations: decl })).toEqual([]);
    expect(judge(rule, { markers, events: [hookEvent('location', T0 + 12_500, { stack: APP_STACK })] }, { declarations: decl })).toHaveLength(1);
  });

  it('accepts foreground reads and background collection the policy declares', () => {
    expect(judge(rule, { markers, events: [hookEvent('location', T0 + 45_000)] }, { declarations: declarationsFromText('我们会收集您的位置信息。') })).toEqual([]);
    const decl = declarationsFromText('为持续提供导航服务，我们会在后台收集您的位置信息。');
    expect(judge(rule, { markers, events: [hookEvent('location', T0 + 20_000)] }, { declarations: decl })).toEqual([]);
  });
});

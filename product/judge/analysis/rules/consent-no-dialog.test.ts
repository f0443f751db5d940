import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, UMENG_STACK } from '../test-support/rule-harness.js';
import { rule } from './consent-no-dialog.js';

describe('CONSENT-NO-DIALOG', () => {
  it('reports a first launch where the detector found no privacy prompt', () => {
    const [f, ...rest] = judge(rule, { markers: [marker('app.launch', T0), marker('consent.not-found', T0 + 15_000)] });
    expect(rest).toHaveLength(0);
    expect(f!.statement).toMatch(/No privacy-policy prompt was found in the first 15 s/);
  });

  it('reports a prompt that appears only after the window', () => {
    const [f] = judge(rule, { markers: [marker('app.launch', T0), marker('consent.shown', T0 + 20_000)] });
    expect(f!.statement).toMatch(/appeared only 20 s after/);
    expect(judge(rule, { markers: [marker('app.launch', T0), marker('consent.shown', T0 + 20_000)] }, { thresholds: { windowSeconds: 30 } })).toEqual([]);
  });

  it('accepts a prompt shown within the window, in every fresh install', () => {
    const markers = [marker('app.launch', T0), marker('consent.shown', T0 + 900), marker('app.install', T0 + 60_000), marker('app.launch', T0 + 61_000), marker('consent.shown', T0 + 62_000)];
    expect(judge(rule, { markers })).toEqual([]);
  });

  it('uses the rule set wording', () => {
    const [f] = judge(rule, { markers: [marker('app.launch', T0), marker('consent.not-found', T0 + 15_000)] }, { ruleSet: 'eu' });
    expect(f!.statement).toMatch(/No consent prompt/);
  });

  it('does not judge a run whose consent detector said nothing', () => {
    expect(judge(rule, { markers: [marker('app.launch', T0)], events: [hookEvent('android-id', T0 + 1, { stack: UMENG_STACK })] })).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, APP_STACK } from '../test-support/rule-harness.js';
import { rule } from './consent-after-refusal.js';

describe('CONSENT-AFTER-REFUSAL', () => {
  it('reports location read after the user refused', () => {
    const markers = [marker('app.launch', T0), marker('consent.refused', T0 + 3000)];
    const [f] = judge(rule, { markers, events: [hookEvent('location', T0 + 5000, { stack: APP_STACK }), hookEvent('location', T0 + 35_000, { stack: APP_STACK })] });
    expect(f!.statement).toBe('The app read the location 5.0 s after launch, after the user refused the privacy policy.');
    expect(f!.evidence.markers).toHaveLength(1);
    expect(f!.evidence.events).toHaveLength(2);
  });

  it('accepts an app that stops after refusal, or that collects only once consent is given after all', () => {
    const markers = [marker('app.launch', T0), marker('consent.refused', T0 + 3000), marker('consent.accepted', T0 + 6000)];
    expect(judge(rule, { markers, events: [hookEvent('location', T0 + 1000 + 6000, { stack: APP_STACK })] })).toEqual([]);
    expect(judge(rule, { markers: markers.slice(0, 2), events: [] })).toEqual([]);
  });
});

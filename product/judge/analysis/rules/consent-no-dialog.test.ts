import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge, UMENG_STACK } from '../test-support/rule-harness.js';
import { rule } from './consent-no-dialog.js';

/** pre-consent-idle as the scenario stage writes it: launch, then an observe step that read the screen. */
const idle = (reads: number, seconds: number) => [
  marker('app.launch', T0),
  marker('step', T0 + 3000, { step: 2, tEnd: T0 + 3000 + seconds * 1000, label: `observe: ${seconds} s`, data: { kind: 'observe', outcome: 'ok', detail: `observed ${seconds} s (${reads} screen reads)` } }),
];

/** refuse-consent whose consent step looked for 15 s and found nothing. */
const notFound = (ui?: string) => [
  marker('app.launch', T0),
  marker('step', T0 + 2000, { step: 2, tEnd: T0 + 17_000, label: 'consent: refuse', data: { kind: 'consent', outcome: 'ok', detail: 'no privacy dialog found' } }),
  marker('consent.not-found', T0 + 17_000, { step: 2, ...(ui ? { ui } : {}), data: { action: 'refuse', timeoutS: 15 } }),
];

const PLAIN_SCREEN = '<hierarchy><node class="android.widget.TextView" text="今日推荐" package="com.example.app"/><node class="android.widget.Button" text="开始阅读" clickable="true" package="com.example.app"/></hierarchy>';
const UNREAD_DIALOG = '<hierarchy><node class="android.widget.TextView" text="歡迎使用！請閱讀《用戶協議》與《隱私權政策》" package="com.example.app"/><node class="android.widget.Button" text="好" clickable="true" package="com.example.app"/></hierarchy>';

describe('CONSENT-NO-DIALOG', () => {
  it('reports an idle first launch whose screen was watched through the window without a prompt', () => {
    const [f, ...rest] = judge(rule, { markers: idle(8, 18) });
    expect(rest).toHaveLength(0);
    expect(f!.statement).toMatch(/^No privacy-policy prompt appeared in the first 15 s after the app was first launched \(the screen was read 5 times/);
    expect(f!.evidence.markers).toHaveLength(2);
  });

  it('does not judge a window that was not watched to its end, or barely read', () => {
    expect(judge(rule, { markers: idle(4, 6) })).toEqual([]);
    expect(judge(rule, { markers: idle(2, 18) })).toEqual([]);
    expect(judge(rule, { markers: [marker('app.launch', T0)], events: [hookEvent('android-id', T0 + 1, { stack: UMENG_STACK })] })).toEqual([]);
  });

  it('does not judge a window in which the app left or a pop-up covered it', () => {
    expect(judge(rule, { markers: [...idle(8, 18), marker('popup.shown', T0 + 5000, { data: { popup: 'dialog' } })] })).toEqual([]);
    expect(judge(rule, { markers: [...idle(8, 18), marker('app.exit', T0 + 9000)] })).toEqual([]);
  });

  it('reports a consent step that looked through the window and saw only the app', () => {
    const [f] = judge(rule, { markers: notFound('u1') }, { uiTrees: { u1: PLAIN_SCREEN } });
    expect(f!.statement).toMatch(/^No privacy-policy prompt appeared in the first 15 s/);
    expect(f!.evidence.ui).toEqual(['u1']);
  });

  it('does not judge a screen that holds policy wording the detector could not read (zh-Hant too)', () => {
    expect(judge(rule, { markers: notFound('u1') }, { uiTrees: { u1: UNREAD_DIALOG } })).toEqual([]);
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
    const [f] = judge(rule, { markers: idle(8, 18) }, { ruleSet: 'eu' });
    expect(f!.statement).toMatch(/No consent prompt/);
  });
});

describe('CONSENT-NO-DIALOG without the consent step\'s stored screen', () => {
  it('does not judge a consent step whose screen was not stored', () => {
    expect(judge(rule, { markers: notFound('u1') })).toEqual([]);
    expect(judge(rule, { markers: notFound() })).toEqual([]);
  });
});

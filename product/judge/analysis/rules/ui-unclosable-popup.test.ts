import { describe, expect, it } from 'vitest';
import { marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './ui-unclosable-popup.js';

const dump = (...nodes: string[]) => `<hierarchy rotation="0">${nodes.map((n) => `<node class="android.widget.ImageView" ${n} bounds="[0,0][1,1]"/>`).join('')}</hierarchy>`;

describe('UI-UNCLOSABLE-POPUP', () => {
  it('reports an ad with no close control in its UI tree', () => {
    const [f] = judge(rule, { markers: [marker('popup.shown', T0, { ui: 'u7', data: { name: '开屏广告' } })] }, { uiTrees: { u7: dump('content-desc="广告" clickable="true"') } });
    expect(f!.statement).toBe('A pop-up "开屏广告" has no visible close or skip control.');
  });

  it('reports a close control that does not close it', () => {
    expect(judge(rule, { markers: [marker('popup.shown', T0, { data: { closeAttempted: true } })] })[0]!.statement).toMatch(/did not go away/);
  });

  it('accepts a pop-up with a skip button, or one that was closed', () => {
    expect(judge(rule, { markers: [marker('popup.shown', T0, { ui: 'u7' })] }, { uiTrees: { u7: dump('text="跳过 3" clickable="true"') } })).toEqual([]);
    expect(judge(rule, { markers: [marker('popup.shown', T0, { ui: 'u7', data: { closeAttempted: true } }), marker('popup.closed', T0 + 500)] }, { uiTrees: { u7: dump('clickable="true"') } })).toEqual([]);
  });
});

describe('UI-UNCLOSABLE-POPUP with the scenario stage\u2019s markers', () => {
  const appium = (...nodes: string[]) =>
    `<?xml version="1.0" encoding="UTF-8"?><hierarchy index="0" class="hierarchy" rotation="0" width="1080" height="2400">${nodes.map((n) => `<android.widget.ImageView index="0" package="a.b" ${n} bounds="[0,0][1,1]" />`).join('')}</hierarchy>`;

  it('reports the pop-up the scenario found with no close control once, however often it was noted', () => {
    const seen = marker('popup.shown', T0, { ui: 'u1', data: { name: '摇一摇 了解更多', closable: false, signature: 'ksad' } });
    const handled = marker('popup.shown', T0 + 400, { ui: 'u2', data: { name: '摇一摇 了解更多', closable: false, closeAttempted: false, signature: 'ksad' } });
    const [f, ...rest] = judge(rule, { markers: [seen, handled] });
    expect(rest).toEqual([]);
    expect(f!.statement).toBe('A pop-up "摇一摇 了解更多" has no close or skip control.');
    expect(f!.evidence.markers).toEqual([seen.id, handled.id].sort());
  });

  it('trusts a press that closed it over its tree, and reports a press that did not', () => {
    const closed = marker('popup.shown', T0, { ui: 'u1', data: { closable: true, closeAttempted: true, closed: true, signature: 's' } });
    expect(judge(rule, { markers: [closed] }, { uiTrees: { u1: appium('content-desc="广告"') } })).toEqual([]);
    // Seen closable while waiting, then the press did nothing: the press decides.
    const seen = marker('popup.shown', T0, { data: { closable: true, signature: 's' } });
    const stuck = marker('popup.shown', T0 + 100, { data: { closable: true, closeAttempted: true, closed: false, signature: 's' } });
    expect(judge(rule, { markers: [seen, stuck] })[0]!.statement).toMatch(/did not go away when its close control was tapped/);
  });

  it('accepts a dismissable dialog the scenario judged closable ("以后再说"), whatever the close words of the tree', () => {
    const m = marker('popup.shown', T0, { ui: 'u1', data: { popup: 'dialog', closable: true, control: '以后再说' } });
    expect(judge(rule, { markers: [m] }, { uiTrees: { u1: appium('text="以后再说" clickable="true"') } })).toEqual([]);
  });

  it('reads the pop-up tree in Appium page-source form for markers with no verdict', () => {
    const m = marker('popup.shown', T0, { ui: 'u1' });
    expect(judge(rule, { markers: [m] }, { uiTrees: { u1: appium('content-desc="广告" clickable="true"') } })).toHaveLength(1);
    expect(judge(rule, { markers: [m] }, { uiTrees: { u1: appium('content-desc="关闭" clickable="true"') } })).toEqual([]);
  });

  it('counts the same ad on every fresh install as one pop-up, and different ones apart', () => {
    const a = marker('popup.shown', T0, { data: { closable: false, signature: 's' } });
    const b = marker('popup.shown', T0 + 5000, { data: { closable: false, signature: 's' } });
    const [f] = judge(rule, { markers: [a, marker('app.install', T0 + 1000), b] });
    expect(f!.statement).toBe('A pop-up has no close or skip control.');
    expect(f!.evidence.markers).toHaveLength(2);
    const c = marker('popup.shown', T0 + 6000, { data: { closable: false, signature: 'other' } });
    expect(judge(rule, { markers: [a, b, c] })[0]!.statement).toMatch(/and 1 more pop-up\)/);
  });
});

import { describe, expect, it } from 'vitest';
import { marker, T0 } from '../../bundle/factories.js';
import { judge } from '../testing.js';
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

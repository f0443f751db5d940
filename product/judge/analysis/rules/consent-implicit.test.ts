import { describe, expect, it } from 'vitest';
import { marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './consent-implicit.js';

const node = (attrs: string) => `<node index="0" class="android.widget.Button" package="com.example.app" ${attrs} bounds="[0,0][10,10]" />`;
const dump = (...nodes: string[]) => `<?xml version="1.0" encoding="UTF-8"?><hierarchy rotation="0"><node class="android.widget.FrameLayout" text="">${nodes.join('')}</node></hierarchy>`;
const policyText = node('text="请阅读《隐私政策》" clickable="false" checkable="false" checked="false"');

describe('CONSENT-IMPLICIT', () => {
  it('reports an acknowledgement-only dialog read from the stored UI tree', () => {
    const shown = marker('consent.shown', T0, { ui: 'u1' });
    const [f] = judge(rule, { markers: [shown] }, { uiTrees: { u1: dump(policyText, node('text="我知道了" clickable="true" checkable="false" checked="false"')) } });
    expect(f!.statement).toMatch(/only an acknowledgement button \("我知道了"\) and no way to refuse/);
    expect(f!.evidence.ui).toEqual(['u1']);
  });

  it('reports a pre-ticked checkbox, and the detector marker', () => {
    const tree = dump(node('class="android.widget.CheckBox" text="我已阅读并同意" clickable="true" checkable="true" checked="true"'), node('text="同意" clickable="true"'), node('text="不同意" clickable="true"'));
    expect(judge(rule, { markers: [marker('consent.shown', T0, { ui: 'u1' })] }, { uiTrees: { u1: tree } })[0]!.statement).toMatch(/pre-ticked box \("我已阅读并同意"\)/);
    expect(judge(rule, { markers: [marker('consent.implicit', T0)] })).toHaveLength(1);
  });

  it('accepts a dialog with agree and refuse buttons and nothing ticked', () => {
    const tree = dump(policyText, node('class="android.widget.CheckBox" text="我已阅读" clickable="true" checkable="true" checked="false"'), node('text="同意并继续" clickable="true"'), node('text="不同意" clickable="true"'));
    expect(judge(rule, { markers: [marker('consent.shown', T0, { ui: 'u1' })] }, { uiTrees: { u1: tree } })).toEqual([]);
    const en = dump(node('text="Agree" clickable="true"'), node('text="Decline" clickable="true"'));
    expect(judge(rule, { markers: [marker('consent.shown', T0, { ui: 'u1' })] }, { uiTrees: { u1: en } })).toEqual([]);
  });
});

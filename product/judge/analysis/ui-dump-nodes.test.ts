import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCloseControl, implicitConsent, uiNodes } from './ui-dump-nodes.js';

const scenarioFixture = (name: string) => readFileSync(join(import.meta.dirname, '..', '..', 'capture', 'scenarios', 'fixtures', name), 'utf8');

describe('uiNodes', () => {
  it('reads Appium page source (elements named by class) as well as uiautomator dumps', () => {
    const appium = uiNodes(scenarioFixture('en-appium-source.xml'));
    const dump = uiNodes(scenarioFixture('zh-settings-screen.xml'));
    expect(appium.length).toBeGreaterThan(3);
    expect(appium.some((n) => n.text === 'Your privacy matters' && n.className === 'android.widget.TextView')).toBe(true);
    expect(dump.find((n) => n.text === '隐私政策')).toMatchObject({ clickable: true, className: 'android.widget.TextView' });
  });

  it('takes the class from the tag when an Appium element has no class attribute, and skips the root', () => {
    const nodes = uiNodes('<hierarchy rotation="0"><android.widget.Button text="跳过 &amp; 关闭" clickable="true" /></hierarchy>');
    expect(nodes).toEqual([{ text: '跳过 & 关闭', desc: '', id: '', className: 'android.widget.Button', clickable: true, checkable: false, checked: false }]);
  });

  it('judges pop-ups and consent dialogs stored in Appium form', () => {
    expect(hasCloseControl(uiNodes(scenarioFixture('ad-interstitial-appium.xml')))).toBe(true);
    expect(implicitConsent(uiNodes(scenarioFixture('en-appium-source.xml')))).toBeUndefined();
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPolicyPage, policyEntries, screenSignature } from './policy-search.js';
import { parseUiTree } from './ui-hierarchy.js';

const fixture = (name: string) => parseUiTree(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));

function screen(pkg: string, children: string[]) {
  const nodes = children.map((c, i) => `<node class="android.widget.TextView" package="${pkg}" enabled="true" bounds="[0,${i * 200}][1080,${i * 200 + 180}]" ${c} />`).join('');
  return parseUiTree(`<hierarchy rotation="0"><node class="android.widget.FrameLayout" package="${pkg}" bounds="[0,0][1080,2400]">${nodes}</node></hierarchy>`);
}

const POLICY_BODY = '一、我们如何收集和使用您的个人信息：为向您提供服务，我们会收集设备信息。二、我们如何共享您的个人信息：我们不会向第三方共享。三、您的权利。';

describe('policyEntries', () => {
  it('ranks a link to the policy before about, and skips rows that lead elsewhere', () => {
    const entries = policyEntries(fixture('zh-settings-screen.xml'), 'com.example.news');
    expect(entries.map((e) => [e.label, e.rank])).toEqual([
      ['隐私政策', 0],
      ['关于我们', 2],
    ]);
  });

  it('finds the me tab by its words, and a settings icon by its view id', () => {
    const main = screen('a.b', [
      'text="今日推荐：三体 · 活着"',
      'text="附近书店" clickable="true"',
      'text="我的" resource-id="a.b:id/tab_me" clickable="true"',
      'resource-id="a.b:id/iv_settings" class="android.widget.ImageView" clickable="true"',
      'text="About" clickable="true"',
    ]);
    expect(policyEntries(main, 'a.b').map((e) => e.label)).toEqual(['About', 'iv_settings', '我的']);
  });

  it('ignores other apps and disabled controls', () => {
    const other = screen('com.android.launcher3', ['text="设置" clickable="true"']);
    expect(policyEntries(other, 'a.b')).toEqual([]);
    expect(policyEntries(screen('a.b', ['text="设置" clickable="true" enabled="false"']), 'a.b')).toEqual([]);
  });
});

describe('isPolicyPage', () => {
  it('knows the policy page by its title and body, in the app or in a browser it opened', () => {
    expect(isPolicyPage(screen('a.b', ['text="悦读隐私政策"', `text="${POLICY_BODY}"`]), 'a.b')).toBe(true);
    expect(isPolicyPage(screen('com.android.chrome', ['text="Privacy Policy"', 'text="We collect the personal information you give us, share it with service providers and keep it for 2 years."']), 'a.b')).toBe(true);
  });

  it('does not take a settings row, the consent dialog or a title without a body for the page', () => {
    expect(isPolicyPage(fixture('zh-settings-screen.xml'), 'com.example.news')).toBe(false);
    expect(isPolicyPage(fixture('zh-native-dialog.xml'), 'com.example.news')).toBe(false);
    expect(isPolicyPage(screen('a.b', ['text="隐私政策"', 'text="加载中"']), 'a.b')).toBe(false);
  });
});

describe('screenSignature', () => {
  it('changes with the screen but not with a clock or counter on it', () => {
    const a = screen('a.b', ['text="12:01"', 'text="我的"']);
    expect(screenSignature(a)).toBe(screenSignature(screen('a.b', ['text="12:02"', 'text="我的"'])));
    expect(screenSignature(a)).not.toBe(screenSignature(screen('a.b', ['text="12:01"', 'text="设置"'])));
  });
});

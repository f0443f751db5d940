import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectBlockingScreen, detectPopup } from './popup-detector.js';
import { parseUiTree } from './ui-hierarchy.js';

const fixture = (name: string) => parseUiTree(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));
const SCREEN = { width: 1080, height: 2400 };

/** A compact dump: one window of `pkg` holding the given nodes (attributes as written in a dump). */
function screen(pkg: string, children: string[], window = '[0,0][1080,2400]'): ReturnType<typeof parseUiTree> {
  const nodes = children.map((c) => `<node class="android.widget.TextView" package="${pkg}" enabled="true" ${c} />`).join('');
  return parseUiTree(`<hierarchy rotation="0"><node class="android.widget.FrameLayout" package="${pkg}" bounds="[0,0][1080,2400]"><node class="android.widget.FrameLayout" package="${pkg}" bounds="${window}">${nodes}</node></node></hierarchy>`);
}

describe('detectPopup', () => {
  it('finds a launch ad by its badge and skip countdown, and its skip control', () => {
    const p = detectPopup(fixture('ad-splash-skip-zh.xml'), { appPackage: 'com.example.video' })!;
    expect(p.kind).toBe('ad');
    expect(p.fullScreen).toBe(true);
    expect(p.close?.label).toBe('跳过 3');
    expect(p.close?.node.resourceId).toBe('com.example.video:id/skip_view');
    expect(p.cues.join(' ')).toMatch(/ad wording "跳过 3"/);
    expect(p.name).toBe('点击跳转详情页或第三方应用');
  });

  it('keeps one signature through a countdown, so a pop-up that stays up is one pop-up', () => {
    const xml = readFileSync(join(import.meta.dirname, 'fixtures', 'ad-splash-skip-zh.xml'), 'utf8');
    const later = parseUiTree(xml.replace('跳过 3', '跳过 2'));
    expect(detectPopup(later, { appPackage: 'com.example.video' })!.signature).toBe(detectPopup(parseUiTree(xml), { appPackage: 'com.example.video' })!.signature);
  });

  it('finds a shake-to-jump splash ad with no close control (UI-UNCLOSABLE-POPUP, N26)', () => {
    const tree = screen(
      'com.example.video',
      [
        'resource-id="com.example.video:id/ksad_splash_image" class="android.widget.ImageView" content-desc="广告" bounds="[0,63][1080,2000]"',
        'resource-id="com.example.video:id/ksad_shake_tip" text="摇一摇 了解更多" bounds="[240,2050][840,2200]"',
      ],
      '[0,63][1080,2400]',
    );
    const p = detectPopup(tree, { appPackage: 'com.example.video' })!;
    expect(p).toMatchObject({ kind: 'ad', fullScreen: true, close: undefined, name: '摇一摇 了解更多' });
  });

  it('finds an interstitial card in Appium page source, closable by its ✕ icon', () => {
    const p = detectPopup(fixture('ad-interstitial-appium.xml'), { appPackage: 'com.example.puzzle' })!;
    expect(p).toMatchObject({ kind: 'ad', fullScreen: false, name: '限时福利 立即下载' });
    expect(p.close).toMatchObject({ label: '关闭', by: 'label' });
  });

  it('does not take a close label inside a clickable ad for a close control: the tap opens the ad', () => {
    const tree = parseUiTree(
      `<hierarchy><node class="android.widget.FrameLayout" package="a.b" bounds="[0,0][1080,2400]"><node class="android.widget.FrameLayout" package="a.b" resource-id="a.b:id/ad_container" clickable="true" bounds="[0,0][1080,2400]"><node class="android.widget.ImageView" package="a.b" content-desc="广告" bounds="[0,0][1080,2000]"/><node class="android.widget.TextView" package="a.b" text="关闭" bounds="[900,100][1000,160]"/></node></node></hierarchy>`,
    );
    const p = detectPopup(tree, { appPackage: 'a.b' })!;
    expect(p.kind).toBe('ad');
    expect(p.close).toBeUndefined();
  });

  it('finds an update dialog (a card over the screen) and its "以后再说"; a forced update has no way out', () => {
    const p = detectPopup(fixture('dialog-update-zh.xml'), { appPackage: 'com.example.news', screen: SCREEN })!;
    expect(p).toMatchObject({ kind: 'dialog', name: '发现新版本 8.2.0' });
    expect(p.close?.label).toBe('以后再说');
    const xml = readFileSync(join(import.meta.dirname, 'fixtures', 'dialog-update-zh.xml'), 'utf8').replace(/<node[^>]*btn_later[^>]*\/>/, '');
    expect(detectPopup(parseUiTree(xml), { appPackage: 'com.example.news', screen: SCREEN })!.close).toBeUndefined();
  });

  it('ignores the privacy dialog, permission prompts, ordinary screens, a small banner ad and another app', () => {
    const news = { appPackage: 'com.example.news', screen: SCREEN };
    expect(detectPopup(fixture('zh-native-dialog.xml'), news)).toBeUndefined();
    expect(detectPopup(fixture('zh-refusal-confirm.xml'), news)).toBeUndefined();
    expect(detectPopup(fixture('zh-settings-screen.xml'), news)).toBeUndefined();
    expect(detectPopup(fixture('perm-api33-location.xml'), { appPackage: 'com.example.maps' })).toBeUndefined();
    const feed = screen('com.example.news', [
      'text="今日头条" bounds="[0,100][1080,300]"',
      'resource-id="com.example.news:id/ad_banner" content-desc="广告" bounds="[0,1900][1080,2100]"',
      'text="我的" clickable="true" bounds="[800,2200][1080,2400]"',
    ]);
    expect(detectPopup(feed, news)).toBeUndefined();
    expect(detectPopup(fixture('ad-interstitial-appium.xml'), { appPackage: 'com.other.app' })).toBeUndefined();
  });

  it('leaves a privacy dialog the consent detector cannot read to the consent rules', () => {
    const odd = screen('a.b', ['text="隐私政策更新提示" bounds="[100,1000][980,1100]"', 'text="查看" clickable="true" bounds="[100,1200][980,1300]"'], '[76,900][1004,1400]');
    expect(detectPopup(odd, { appPackage: 'a.b' })).toBeUndefined();
  });

  it('ignores a card that asks nothing (a progress spinner)', () => {
    const loading = screen('a.b', ['text="加载中…" bounds="[300,1100][780,1200]"'], '[200,1000][880,1300]');
    expect(detectPopup(loading, { appPackage: 'a.b' })).toBeUndefined();
  });
});

describe('detectPopup: an overlay, not a page (issue #19)', () => {
  const attrs = (pkg: string, a: string) => `package="${pkg}" enabled="true" ${a}`;
  const row = (pkg: string) =>
    `<node class="android.widget.LinearLayout" ${attrs(pkg, 'clickable="true" bounds="[0,240][1080,400]"')}><node class="android.widget.TextView" ${attrs(pkg, 'text="清除缓存" bounds="[40,280][600,360]"')}/><node class="android.widget.TextView" ${attrs(pkg, 'text="确定" clickable="true" bounds="[900,280][1040,360]"')}/></node>`;
  const fullWindow = (pkg: string, inner: string) =>
    `<hierarchy><node class="android.widget.FrameLayout" ${attrs(pkg, 'bounds="[0,0][1080,2400]"')}><node class="android.widget.FrameLayout" resource-id="android:id/content" ${attrs(pkg, 'bounds="[0,63][1080,2400]"')}>${inner}</node></node></hierarchy>`;

  it('does not take a full-screen page with one row for a dialog card', () => {
    const page = fullWindow('a.b', `<node class="androidx.recyclerview.widget.RecyclerView" ${attrs('a.b', 'scrollable="true" bounds="[0,200][1080,2400]"')}>${row('a.b')}</node>`);
    expect(detectPopup(parseUiTree(page), { appPackage: 'a.b', screen: SCREEN })).toBeUndefined();
  });

  it('takes the same content for a pop-up when it is a card over a dimmed scrim, a dialog layout, or a window smaller than the screen', () => {
    const card = (id: string) =>
      `<node class="android.widget.LinearLayout" resource-id="a.b:id/${id}" ${attrs('a.b', 'bounds="[80,900][1000,1500]"')}><node class="android.widget.TextView" ${attrs('a.b', 'text="领取新人礼包" bounds="[120,940][960,1020]"')}/><node class="android.widget.TextView" ${attrs('a.b', 'text="稍后再说" clickable="true" bounds="[120,1380][960,1460]"')}/></node>`;
    const scrim = `<node class="android.widget.FrameLayout" resource-id="a.b:id/page" ${attrs('a.b', 'bounds="[0,63][1080,2400]"')}>${row('a.b')}</node><node class="android.view.View" resource-id="a.b:id/v_bg" ${attrs('a.b', 'clickable="true" bounds="[0,63][1080,2400]"')}/>${card('gift')}`;
    const overScrim = detectPopup(parseUiTree(fullWindow('a.b', scrim)), { appPackage: 'a.b', screen: SCREEN })!;
    expect(overScrim).toMatchObject({ kind: 'dialog', fullScreen: false, name: '领取新人礼包' });
    expect(overScrim.cues).toContain('card over a dimmed scrim');
    expect(overScrim.close?.label).toBe('稍后再说');
    const dialogLayout = detectPopup(parseUiTree(fullWindow('a.b', card('dialog_gift'))), { appPackage: 'a.b', screen: SCREEN })!;
    expect(dialogLayout.cues).toContain('dialog layout');
    // Without scrim or dialog layout, a card-sized block in the page is part of the page.
    expect(detectPopup(parseUiTree(fullWindow('a.b', card('gift'))), { appPackage: 'a.b', screen: SCREEN })).toBeUndefined();
    const window = `<hierarchy>${card('gift').replace('bounds="[80,900][1000,1500]"', 'bounds="[80,900][1000,1500]"')}</hierarchy>`;
    expect(detectPopup(parseUiTree(window), { appPackage: 'a.b', screen: SCREEN })!.cues).toContain('window smaller than the screen');
  });

  it('leaves a Traditional Chinese privacy dialog to the consent rules instead of calling it an unclosable pop-up', () => {
    expect(detectPopup(fixture('zh-hant-policy-dialog.xml'), { appPackage: 'com.example.twnews', screen: SCREEN })).toBeUndefined();
  });

  it('finds an unlabelled close icon in a top corner, and never takes a switch that reads 关闭 (off) or "Close app" for a close control', () => {
    const sheet = (extra: string) =>
      `<hierarchy><node class="android.widget.FrameLayout" ${attrs('a.b', 'bounds="[160,780][920,1600]"')}>${extra}<node class="android.widget.TextView" ${attrs('a.b', 'text="开启消息提醒" bounds="[200,860][880,920]"')}/><node class="android.widget.TextView" ${attrs('a.b', 'text="去开启" clickable="true" bounds="[220,1400][860,1500]"')}/></node></hierarchy>`;
    const icon = detectPopup(parseUiTree(sheet(`<node class="android.widget.ImageView" resource-id="a.b:id/q7" ${attrs('a.b', 'clickable="true" bounds="[860,800][904,844]"')}/>`)), { appPackage: 'a.b', screen: SCREEN })!;
    expect(icon.close).toMatchObject({ by: 'icon' });
    expect(icon.close?.node.resourceId).toBe('a.b:id/q7');
    const sw = detectPopup(parseUiTree(sheet(`<node class="android.widget.Switch" text="关闭" ${attrs('a.b', 'checkable="true" clickable="true" bounds="[700,1000][860,1080]"')}/>`)), { appPackage: 'a.b', screen: SCREEN })!;
    expect(sw.close).toBeUndefined();
    const anr = `<hierarchy><node class="android.widget.FrameLayout" ${attrs('android', 'bounds="[27,930][1053,1480]"')}><node class="android.widget.TextView" resource-id="android:id/alertTitle" ${attrs('android', 'text="Demo isn’t responding" bounds="[90,980][990,1120]"')}/><node class="android.widget.Button" resource-id="android:id/aerr_close" ${attrs('android', 'text="Close app" clickable="true" bounds="[70,1150][1010,1280]"')}/><node class="android.widget.Button" resource-id="android:id/aerr_wait" ${attrs('android', 'text="Wait" clickable="true" bounds="[70,1290][1010,1420]"')}/></node></hierarchy>`;
    expect(detectPopup(parseUiTree(anr), { appPackage: 'android', screen: SCREEN })?.close).toBeUndefined();
  });

  it('does not take a feature line about skipping ads for an ad', () => {
    const page = screen('a.b', ['text="自动跳过广告" bounds="[40,260][1040,340]"', 'text="去开启" clickable="true" bounds="[900,420][1040,520]"']);
    expect(detectPopup(page, { appPackage: 'a.b', screen: SCREEN })).toBeUndefined();
  });
});

describe('detectBlockingScreen', () => {
  it('reads a screen that refuses service without the permission (zh and en)', () => {
    const zh = screen('com.example.game', ['text="未获得电话权限，无法进入游戏。" bounds="[0,200][1080,400]"', 'text="去设置" clickable="true" bounds="[0,500][1080,600]"']);
    expect(detectBlockingScreen(zh, 'com.example.game')).toEqual({ text: '未获得电话权限，无法进入游戏。' });
    const en = screen('a.b', ['text="You can\'t use this app without the camera permission." bounds="[0,200][1080,400]"']);
    expect(detectBlockingScreen(en, 'a.b')).toBeDefined();
  });

  it('does not take a purpose explanation or another app for a blocking screen', () => {
    const purpose = screen('a.b', ['text="为向您推荐附近书店，我们需要获取您的大致位置。拒绝不影响其他功能。" bounds="[0,200][1080,400]"']);
    expect(detectBlockingScreen(purpose, 'a.b')).toBeUndefined();
    expect(detectBlockingScreen(fixture('purpose-rationale-zh.xml'), 'com.example.news')).toBeUndefined();
    const zh = screen('com.example.game', ['text="未获得电话权限，无法进入游戏。" bounds="[0,200][1080,400]"']);
    expect(detectBlockingScreen(zh, 'com.other')).toBeUndefined();
  });
});

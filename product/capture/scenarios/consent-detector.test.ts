import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyControl, detectConsentDialog } from './consent-detector.js';
import { parseUiTree } from './ui-hierarchy.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const tree = (name: string) => parseUiTree(fixture(name));

describe('classifyControl', () => {
  it.each([
    ['同意', 'accept'],
    ['同意并继续', 'accept'],
    ['我同意', 'accept'],
    ['Agree & Continue', 'accept'],
    ['I agree', 'accept'],
    ['不同意', 'refuse'],
    ['暂不使用', 'refuse'],
    ['拒绝', 'refuse'],
    ['Decline', 'refuse'],
    ["I don't agree", 'refuse'],
    ['Not now', 'refuse'],
    ['不同意，仅浏览', 'browse-only'],
    ['仅浏览', 'browse-only'],
    ['退出应用', 'exit'],
    ['不同意并退出', 'refuse'],
    ['仍然拒绝', 'refuse'],
    ['再想想', 'reconsider'],
    ['我知道了', 'acknowledge'],
    ['OK', 'acknowledge'],
    ['进入应用', 'continue'],
    ['同意並繼續', 'accept'],
    ['拒絕', 'refuse'],
    ['暫不使用', 'refuse'],
    ['接受', 'accept'],
    ['開始使用', 'continue'],
  ])('%s → %s', (text, kind) => {
    expect(classifyControl(text)).toBe(kind);
  });

  it('does not take policy links or long text for buttons', () => {
    expect(classifyControl('《隐私政策》')).toBeUndefined();
    expect(classifyControl('Privacy Policy')).toBeUndefined();
    expect(classifyControl('同意本协议即表示您已经充分阅读理解全部条款内容并接受')).toBeUndefined();
    expect(classifyControl('头条')).toBeUndefined();
  });
});

describe('detectConsentDialog', () => {
  it('finds a Chinese native dialog and its two buttons, not the page behind it', () => {
    const d = detectConsentDialog(tree('zh-native-dialog.xml'))!;
    expect(d).toBeDefined();
    expect(d.kind).toBe('policy');
    expect(d.language).toBe('zh');
    expect(d.layout).toBe('native');
    expect(d.container.resourceId).toBe('com.example.news:id/dialog_root');
    expect(d.accept?.node.resourceId).toBe('com.example.news:id/btn_agree');
    expect(d.refuse?.node.resourceId).toBe('com.example.news:id/btn_disagree');
    // "确定" on the page behind the dialog is not part of it.
    expect(d.controls.map((c) => c.label)).not.toContain('确定');
    expect(d.implicit).toBeUndefined();
  });

  it('reads the Appium page-source dialect (class-named elements) and English buttons', () => {
    const d = detectConsentDialog(tree('en-appium-source.xml'))!;
    expect(d.language).toBe('en');
    expect(d.accept?.label).toBe('Accept');
    expect(d.refuse?.label).toBe('Not now');
    expect(d.refuse?.kind).toBe('refuse');
  });

  it('finds a policy dialog drawn inside a WebView', () => {
    const d = detectConsentDialog(tree('zh-webview-dialog.xml'))!;
    expect(d.layout).toBe('webview');
    expect(d.accept?.label).toBe('同意并继续');
    expect(d.refuse?.label).toBe('暂不使用');
    expect(d.text).toContain('隐私政策');
  });

  it('reports an unticked consent box to tick, with "continue" as acceptance and "exit" as refusal', () => {
    const d = detectConsentDialog(tree('zh-checkbox-dialog.xml'))!;
    expect(d.checkboxes).toHaveLength(1);
    expect(d.checkboxes[0]!.checked).toBe(false);
    expect(d.checkboxes[0]!.label).toContain('我已阅读并同意');
    expect(d.preTicked).toBe(false);
    expect(d.accept?.label).toBe('进入应用');
    expect(d.refuse?.kind).toBe('exit');
    expect(d.implicit).toBeUndefined();
  });

  it('flags a pre-ticked consent box as consent by default', () => {
    const xml = fixture('zh-checkbox-dialog.xml').replace(
      'resource-id="com.example.bank:id/cb_agree" class="android.widget.CheckBox" package="com.example.bank" content-desc="" checkable="true" checked="false"',
      'resource-id="com.example.bank:id/cb_agree" class="android.widget.CheckBox" package="com.example.bank" content-desc="" checkable="true" checked="true"',
    );
    const d = detectConsentDialog(parseUiTree(xml))!;
    expect(d.preTicked).toBe(true);
    expect(d.implicit).toBe('pre-ticked');
  });

  it('takes "仅浏览" as the refusal when there is no plain "不同意"', () => {
    const d = detectConsentDialog(tree('zh-browse-only-dialog.xml'))!;
    expect(d.refuse?.kind).toBe('browse-only');
    // The clickable layout around the "同意并继续" text is what gets tapped.
    expect(d.accept?.node.resourceId).toBe('com.example.video:id/agree_layout');
  });

  it('recognises the "are you sure?" dialog after a refusal and its refusing button', () => {
    const d = detectConsentDialog(tree('zh-refusal-confirm.xml'))!;
    expect(d.kind).toBe('confirmation');
    expect(d.refuse?.label).toBe('仍然拒绝');
    expect(d.reconsider?.label).toBe('再想想');
    expect(d.implicit).toBeUndefined();
  });

  it('flags an acknowledgement-only dialog (我知道了) as implicit consent with no way to refuse', () => {
    const d = detectConsentDialog(tree('zh-ack-only-dialog.xml'))!;
    expect(d.implicit).toBe('acknowledgement-only');
    expect(d.refuse).toBeUndefined();
    expect(d.accept?.label).toBe('我知道了');
  });

  it('finds nothing on a settings screen that merely links to the policy', () => {
    expect(detectConsentDialog(tree('zh-settings-screen.xml'))).toBeUndefined();
    expect(detectConsentDialog(tree('perm-api33-location.xml'))).toBeUndefined();
    expect(detectConsentDialog(parseUiTree('<hierarchy rotation="0"/>'))).toBeUndefined();
    expect(detectConsentDialog(parseUiTree('not xml at all <<<'))).toBeUndefined();
  });

  it('lets per-app overrides pick the controls the heuristics would miss', () => {
    // An app whose buttons are icons: no text the lexicon knows.
    const xml = fixture('zh-native-dialog.xml').replace('text="不同意"', 'text="✕"').replace('text="同意"', 'text="✓"');
    const unsure = detectConsentDialog(parseUiTree(xml))!;
    // The dialog is found, its controls are not, and the page's "确定" is not taken for them.
    expect(unsure.container.resourceId).toBe('com.example.news:id/dialog_root');
    expect(unsure.accept).toBeUndefined();
    expect(unsure.refuse).toBeUndefined();
    expect(unsure.implicit).toBeUndefined();
    const d = detectConsentDialog(parseUiTree(xml), {
      appPackage: 'com.example.news',
      overrides: { accept: { id: 'btn_agree' }, refuse: { id: 'com.example.news:id/btn_disagree' } },
    })!;
    expect(d.accept?.node.resourceId).toBe('com.example.news:id/btn_agree');
    expect(d.refuse?.node.resourceId).toBe('com.example.news:id/btn_disagree');
  });

  it('takes side-by-side agree/refuse under policy text as consent even without "agree" wording, but not a settings list', () => {
    const node = (text: string, id: string, clickable: boolean, y: number) =>
      `<node index="0" text="${text}" resource-id="com.example.scan:id/${id}" class="android.widget.${clickable ? 'Button' : 'TextView'}" package="com.example.scan" content-desc="" checkable="false" checked="false" clickable="${clickable}" enabled="true" bounds="[100,${y}][980,${y + 120}]" />`;
    const screen = (children: string) =>
      `<hierarchy rotation="0"><node index="0" text="" resource-id="" class="android.widget.LinearLayout" package="com.example.scan" content-desc="" clickable="false" enabled="true" bounds="[0,63][1080,2400]">${children}</node></hierarchy>`;
    const dialog = detectConsentDialog(
      parseUiTree(screen(node('隐私政策', 'title', false, 100) + node('扫描文档需要使用相机，我们不会上传您的文档。', 'msg', false, 240) + node('同意', 'agree', true, 400) + node('不同意', 'disagree', true, 540))),
    );
    expect(dialog?.accept?.label).toBe('同意');
    const settings = parseUiTree(screen(node('隐私政策', 'settings_privacy', true, 100) + node('撤回同意', 'settings_withdraw', true, 240)));
    expect(detectConsentDialog(settings)).toBeUndefined();
  });

  it('reads a Traditional Chinese (Taiwan) dialog and keeps its original words as evidence', () => {
    const d = detectConsentDialog(tree('zh-hant-policy-dialog.xml'))!;
    expect(d).toBeDefined();
    expect(d.accept?.label).toBe('同意並繼續');
    expect(d.accept?.node.resourceId).toBe('com.example.twnews:id/positive');
    expect(d.refuse?.label).toBe('拒絕');
    expect(d.text).toContain('隱私權政策');
    expect(d.language).toBe('zh');
  });

  it('reads Hong Kong wording: 私隱政策 with 接受 / 不同意', () => {
    const node = (attrs: string) => `<node class="android.widget.TextView" package="hk.example" enabled="true" ${attrs} />`;
    const xml = `<hierarchy><node class="android.widget.FrameLayout" package="hk.example" bounds="[60,700][1020,1500]">${[
      node('text="私隱政策聲明" bounds="[100,740][980,800]"'),
      node('text="請細閱我們的私隱政策，了解我們如何收集及使用你的個人資料。" bounds="[100,820][980,1200]"'),
      node('text="不同意" clickable="true" bounds="[100,1300][520,1420]"'),
      node('text="接受" clickable="true" bounds="[560,1300][980,1420]"'),
    ].join('')}</node></hierarchy>`;
    const d = detectConsentDialog(parseUiTree(xml))!;
    expect(d.accept?.label).toBe('接受');
    expect(d.refuse?.label).toBe('不同意');
  });

  it('does not take a login sheet whose agreement line mentions the policy for the consent dialog', () => {
    const node = (attrs: string) => `<node package="a.b" enabled="true" ${attrs} />`;
    const xml = `<hierarchy><node class="android.widget.FrameLayout" package="a.b" bounds="[160,780][920,1600]">${[
      node('class="android.widget.ImageView" resource-id="a.b:id/iv_close" clickable="true" bounds="[860,800][904,844]"'),
      node('class="android.widget.TextView" text="登录后同步你的观看记录" bounds="[180,850][900,910]"'),
      node('class="android.widget.TextView" text="本机号码一键登录" clickable="true" bounds="[220,1120][860,1240]"'),
      node('class="android.widget.CheckBox" checkable="true" bounds="[220,1410][260,1450]"'),
      node('class="android.widget.TextView" text="我已阅读并同意用户协议、隐私政策" clickable="true" bounds="[280,1400][860,1540]"'),
    ].join('')}</node></hierarchy>`;
    expect(detectConsentDialog(parseUiTree(xml))).toBeUndefined();
  });
});

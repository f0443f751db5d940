import { describe, expect, it } from 'vitest';
import type { UiSnapshot } from '../../../contracts/bundle-schema.js';
import { marker, runMeta, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { namesPurpose, rule } from './perm-no-purpose.js';

const LOC = 'android.permission.ACCESS_FINE_LOCATION';
const APP = runMeta().app.package;

const snap = (id: string, t: number, pkg = APP): UiSnapshot => ({ id, t, step: 3, tree: `ui/${id}.xml`, package: pkg });
/** The dump while the prompt is up: only the system dialog's window. */
const PROMPT_ONLY =
  '<hierarchy><android.widget.FrameLayout package="com.google.android.permissioncontroller"><android.widget.TextView text="Allow this app to access this device\'s location?" package="com.google.android.permissioncontroller"/><android.widget.Button text="While using the app" package="com.google.android.permissioncontroller"/></android.widget.FrameLayout></hierarchy>';
const appScreen = (text: string) => `<hierarchy><node class="android.widget.FrameLayout" package="${APP}"><node class="android.widget.TextView" text="${text}" package="${APP}"/><node class="android.widget.Button" text="继续" clickable="true" package="${APP}"/></node></hierarchy>`;
/** Two windows: the app beneath (no package on its children: the window's decides), the dialog above. */
const twoWindows = (text: string) =>
  `<hierarchy><android.widget.FrameLayout package="${APP}"><android.widget.TextView text="${text}"/></android.widget.FrameLayout><android.widget.FrameLayout package="com.android.permissioncontroller"><android.widget.TextView text="要允许访问此设备的位置信息吗？"/></android.widget.FrameLayout></hierarchy>`;

const request = (ui: string) => marker('permission.requested', T0, { ui, data: { group: 'location', purposeShown: false } });

describe('PERM-NO-PURPOSE', () => {
  it('reports a prompt with no purpose explanation before it', () => {
    const [f] = judge(rule, { markers: [marker('permission.requested', T0, { data: { permission: LOC } })] });
    expect(f!.statement).toBe('The app asked for the location permission without first explaining on screen what it is for.');
  });

  it('accepts a prompt explained just before, but not one explained long before', () => {
    const ok = [marker('permission.purpose-shown', T0 - 2000, { data: { permission: LOC } }), marker('permission.requested', T0, { data: { permission: LOC } })];
    expect(judge(rule, { markers: ok })).toEqual([]);
    const stale = [marker('permission.purpose-shown', T0 - 60_000, { data: { permission: LOC } }), marker('permission.requested', T0, { data: { permission: LOC } })];
    expect(judge(rule, { markers: stale })).toHaveLength(1);
  });

  it('reads the purpose from the app screen stored half a second before a prompt whose dump shows only the dialog', () => {
    const contents = { markers: [request('p1')], ui: [snap('a1', T0 - 500), snap('p1', T0, 'com.google.android.permissioncontroller')] };
    const explained = { p1: PROMPT_ONLY, a1: appScreen('我们需要获取您的位置信息，用于推荐附近的门店') };
    expect(judge(rule, contents, { uiTrees: explained })).toEqual([]);
    // The same screen without a purpose (or about another permission) does not explain it.
    expect(judge(rule, contents, { uiTrees: { p1: PROMPT_ONLY, a1: appScreen('欢迎使用') } })).toHaveLength(1);
    expect(judge(rule, contents, { uiTrees: { p1: PROMPT_ONLY, a1: appScreen('需要使用相机，用于扫码') } })).toHaveLength(1);
  });

  it('reads the app window beneath the dialog when the dump holds several windows, in Traditional Chinese too', () => {
    const contents = { markers: [request('p1')], ui: [snap('p1', T0)] };
    expect(judge(rule, contents, { uiTrees: { p1: twoWindows('需要存取您的位置，以便顯示附近門市') } })).toEqual([]);
    // The system dialog's own words never count as the app's explanation.
    expect(judge(rule, contents, { uiTrees: { p1: twoWindows('') } })).toHaveLength(1);
  });

  it('knows purpose wording in English and the Chinese scripts', () => {
    expect(namesPurpose('Allow camera access so that you can scan QR codes', ['camera'])).toBe(true);
    expect(namesPurpose('需要使用您的相機，以便掃描條碼', ['camera'])).toBe(true);
    expect(namesPurpose('Welcome back', ['camera'])).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePromptButton, detectPermissionPrompt, findPurposeText, groupFromMessage, permissionGroup } from './permission-detector.js';
import { controlLabel, parseUiTree, type UiNode } from './ui-hierarchy.js';

const controlText = (n: UiNode) => controlLabel(n);
const alertXmlOfApp = () =>
  `<hierarchy><node class="android.widget.FrameLayout" package="com.example.usbcam" bounds="[0,700][1080,1660]"><node class="android.widget.TextView" resource-id="android:id/alertTitle" package="com.example.usbcam" text="Allow Scopeview to access USB Endoscope?" bounds="[110,950][970,1130]"/><node class="android.widget.Button" resource-id="android:id/button2" package="com.example.usbcam" text="Cancel" clickable="true" enabled="true" bounds="[100,1420][300,1560]"/><node class="android.widget.Button" resource-id="android:id/button1" package="com.example.usbcam" text="OK" clickable="true" enabled="true" bounds="[700,1420][900,1560]"/></node></hierarchy>`;

const tree = (name: string) => parseUiTree(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));

describe('detectPermissionPrompt', () => {
  const alert = (title: string, buttons: string) =>
    parseUiTree(
      `<hierarchy><node class="android.widget.FrameLayout" package="com.android.systemui" bounds="[0,700][1080,1660]"><node class="android.widget.LinearLayout" resource-id="android:id/parentPanel" package="com.android.systemui" bounds="[44,750][1036,1610]"><node class="android.widget.TextView" resource-id="android:id/alertTitle" package="com.android.systemui" text="${title}" bounds="[110,950][970,1130]"/>${buttons}</node></node></hierarchy>`,
    );
  const button = (id: string, text: string, x: number) =>
    `<node class="android.widget.Button" resource-id="android:id/${id}" package="com.android.systemui" text="${text}" clickable="true" enabled="true" bounds="[${x},1420][${x + 200},1560]"/>`;

  it('reads the system UI access dialogs that use stock AlertDialog ids: USB access and screen capture (refuse in button3)', () => {
    const usb = detectPermissionPrompt(alert('Allow Scopeview to access USB Endoscope?', button('button2', 'Cancel', 100) + button('button1', 'OK', 700)))!;
    expect(usb).toMatchObject({ source: 'system-dialog', group: 'usb-device' });
    expect(choosePromptButton(usb, 'allow')!.button.text).toBe('OK');
    expect(choosePromptButton(usb, 'deny')!.button.text).toBe('Cancel');
    const capture = detectPermissionPrompt(alert('要开始使用“投屏助手”录制或投射内容吗？', button('button3', '取消', 100) + button('button1', '立即开始', 700)))!;
    expect(capture.group).toBe('screen-capture');
    expect(choosePromptButton(capture, 'deny')!.button.resourceId).toBe('android:id/button3');
    expect(choosePromptButton(capture, 'allow')!.button.text).toBe('立即开始');
    // An app's own AlertDialog with the same ids is not a system prompt.
    expect(detectPermissionPrompt(parseUiTree(alertXmlOfApp()))).toBeUndefined();
  });

  it('reads a vendor prompt in Traditional Chinese by its words (使用應用程式時允許 / 不允許)', () => {
    const row = (text: string, y: number) =>
      `<node class="android.widget.LinearLayout" package="com.vivo.permissionmanager" clickable="true" enabled="true" bounds="[60,${y}][1020,${y + 160}]"><node class="android.widget.TextView" package="com.vivo.permissionmanager" text="${text}" enabled="true" bounds="[200,${y + 40}][880,${y + 120}]"/></node>`;
    const xml = `<hierarchy><node class="android.widget.FrameLayout" package="com.vivo.permissionmanager" bounds="[0,1300][1080,2400]"><node class="android.widget.TextView" package="com.vivo.permissionmanager" text="要允許「附近美食」存取你的位置資訊嗎？" bounds="[80,1360][1000,1520]"/>${row('使用應用程式時允許', 1700)}${row('不允許', 2060)}</node></hierarchy>`;
    const p = detectPermissionPrompt(parseUiTree(xml), { appPackage: 'com.example.food' })!;
    expect(p.source).toBe('text');
    expect(p.group).toBe('location');
    expect(controlText(choosePromptButton(p, 'allow-foreground')!.button)).toBe('使用應用程式時允許');
    expect(controlText(choosePromptButton(p, 'deny')!.button)).toBe('不允許');
  });

  it('reads the API 33 Google permission controller by resource id (location, no plain "allow")', () => {
    const p = detectPermissionPrompt(tree('perm-api33-location.xml'))!;
    expect(p.source).toBe('resource-id');
    expect(p.package).toBe('com.google.android.permissioncontroller');
    expect(p.group).toBe('location');
    expect(Object.keys(p.buttons).sort()).toEqual(['allowForeground', 'allowOnce', 'deny']);
    // "allow" falls back to "while using the app", and says so.
    const allow = choosePromptButton(p, 'allow')!;
    expect(allow.chosen).toBe('allowForeground');
    expect(allow.note).toMatch(/no "allow" button/);
    expect(choosePromptButton(p, 'allow-once')!.button.text).toBe('Only this time');
    // deny-always on API 30+ without the button: a plain deny (the second denial is final).
    expect(choosePromptButton(p, 'deny-always')!.chosen).toBe('deny');
  });

  it('reads an API 30 Chinese camera prompt with "deny and don\'t ask again"', () => {
    const p = detectPermissionPrompt(tree('perm-api30-camera-zh.xml'))!;
    expect(p.group).toBe('camera');
    expect(choosePromptButton(p, 'deny-always')!.button.text).toBe('拒绝，不要再询问');
    expect(choosePromptButton(p, 'deny')!.button.text).toBe('拒绝');
    expect(choosePromptButton(p, 'allow-foreground')!.button.text).toBe('使用该应用时允许');
  });

  it('reads the pre-API-29 package installer and ticks "don\'t ask again" for deny-always', () => {
    const p = detectPermissionPrompt(tree('perm-api28-installer.xml'))!;
    expect(p.package).toBe('com.android.packageinstaller');
    expect(p.group).toBe('contacts');
    expect(p.dontAskAgain?.resourceId).toBe('com.android.packageinstaller:id/do_not_ask_checkbox');
    const c = choosePromptButton(p, 'deny-always')!;
    expect(c.chosen).toBe('deny');
    expect(c.tickDontAsk).toBe(true);
    expect(c.note).toBeUndefined();
    expect(choosePromptButton(p, 'allow')!.button.text).toBe('ALLOW');
  });

  it('reads a vendor dialog without the standard ids by its button text', () => {
    const p = detectPermissionPrompt(tree('perm-vendor-text.xml'), { appPackage: 'com.example.delivery' })!;
    expect(p.source).toBe('text');
    expect(p.group).toBe('location');
    expect(choosePromptButton(p, 'allow-once')!.button.text).toBe('本次运行允许');
    expect(choosePromptButton(p, 'deny-always')!.button.text).toBe('拒绝且不再询问');
    // The plain "拒绝" text sits in a clickable row: the row is what gets tapped.
    const deny = choosePromptButton(p, 'deny')!;
    expect(deny.button.clickable).toBe(true);
    expect(deny.button.children[0]!.text).toBe('拒绝');
  });

  it('does not take the app\'s own screens or a privacy dialog for the system prompt', () => {
    expect(detectPermissionPrompt(tree('purpose-rationale-zh.xml'), { appPackage: 'com.example.delivery' })).toBeUndefined();
    expect(detectPermissionPrompt(tree('zh-native-dialog.xml'), { appPackage: 'com.example.news' })).toBeUndefined();
  });
});

describe('purpose text (PERM-NO-PURPOSE)', () => {
  it('finds the app\'s explanation of why it needs location', () => {
    const text = findPurposeText(tree('purpose-rationale-zh.xml'), 'location', 'com.example.delivery');
    expect(text).toContain('为了向您推荐附近的商家');
  });

  it('finds none when the explanation is about another permission, or on the system dialog', () => {
    expect(findPurposeText(tree('purpose-rationale-zh.xml'), 'camera', 'com.example.delivery')).toBeUndefined();
    expect(findPurposeText(tree('perm-api33-location.xml'), 'location', 'com.example.maps')).toBeUndefined();
  });
});

describe('permission groups', () => {
  it('maps permission names and prompt messages onto groups', () => {
    expect(permissionGroup('android.permission.ACCESS_FINE_LOCATION')).toBe('location');
    expect(permissionGroup('READ_CALL_LOG')).toBe('call-log');
    expect(permissionGroup('camera')).toBe('camera');
    expect(groupFromMessage('Allow News to make and manage phone calls?')).toBe('phone');
    expect(groupFromMessage('要允许“通讯”访问您的通话记录吗？')).toBe('call-log');
    expect(groupFromMessage('Allow Recorder to record audio?')).toBe('microphone');
    expect(groupFromMessage('Allow Gallery to access photos and videos on this device?')).toBe('storage');
  });
});

describe('permission group names', () => {
  it("uses Android's group constants, for permission names, group constants and older spellings", () => {
    expect(['BLUETOOTH_SCAN', 'android.permission.NEARBY_WIFI_DEVICES', 'BODY_SENSORS', 'ACTIVITY_RECOGNITION', 'READ_CALL_LOG', 'READ_MEDIA_IMAGES'].map(permissionGroup)).toEqual([
      'nearby-devices',
      'nearby-devices',
      'sensors',
      'activity-recognition',
      'call-log',
      'storage',
    ]);
    expect(['android.permission-group.NEARBY_DEVICES', 'android.permission-group.SENSORS', 'android.permission-group.READ_MEDIA_VISUAL'].map(permissionGroup)).toEqual([
      'nearby-devices',
      'sensors',
      'storage',
    ]);
    expect(['nearby', 'body-sensors', 'activity', 'camera'].map(permissionGroup)).toEqual(['nearby-devices', 'sensors', 'activity-recognition', 'camera']);
  });

  it('reads the group from the words of AOSP prompts (en and zh)', () => {
    expect(groupFromMessage('Allow Fit to access sensor data about your vital signs?')).toBe('sensors');
    expect(groupFromMessage('允许“健身”获取与您的生命体征相关的传感器数据吗？')).toBe('sensors');
    expect(groupFromMessage('Allow Fit to access your physical activity?')).toBe('activity-recognition');
    expect(groupFromMessage('Allow Buds to find, connect to, and determine the relative position of nearby devices?')).toBe('nearby-devices');
  });
});

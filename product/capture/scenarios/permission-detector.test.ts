import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { choosePromptButton, detectPermissionPrompt, findPurposeText, groupFromMessage, permissionGroup } from './permission-detector.js';
import { parseUiTree } from './ui-hierarchy.js';

const tree = (name: string) => parseUiTree(readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8'));

describe('detectPermissionPrompt', () => {
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

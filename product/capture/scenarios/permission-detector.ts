import type { PermissionAction } from './definitions.js';
import { normaliseLabel } from './lexicon.js';
import { clickTarget, controlLabel, label, shortId, subtree, type UiNode, type UiTree } from './ui-hierarchy.js';

/**
 * Recognises Android's runtime-permission prompt in a UI dump, across versions and vendors:
 * first by the permission controller's resource ids (AOSP and Google builds, API 29-35, and the
 * package installer before API 29; vendors that fork the controller keep the id names), then by
 * button text for vendor dialogs that do not (MIUI, EMUI, ColorOS, Funtouch...).
 */

export type PromptButton = 'allow' | 'allowForeground' | 'allowOnce' | 'deny' | 'denyAlways';

export interface PermissionPrompt {
  /** How it was recognised: the permission controller's ids, its words, or a system UI access dialog. */
  source: 'resource-id' | 'text' | 'system-dialog';
  package: string;
  message: string;
  /** Permission group guessed from the message (location, camera...), if any. */
  group: string | undefined;
  buttons: Partial<Record<PromptButton, UiNode>>;
  /** Pre-API-30 "Don't ask again" checkbox. */
  dontAskAgain: UiNode | undefined;
}

/** Packages that draw the permission dialog (AOSP, Google, pre-Q, vendors). */
export const PERMISSION_PACKAGES = new Set([
  'com.android.permissioncontroller',
  'com.google.android.permissioncontroller',
  'com.android.packageinstaller',
  'com.google.android.packageinstaller',
  'com.samsung.android.permissioncontroller',
  'com.lbe.security.miui',
  'com.miui.securitycenter',
  'com.huawei.systemmanager',
  'com.hihonor.systemmanager',
  'com.coloros.securitypermission',
  'com.oplus.securitypermission',
  'com.vivo.permissionmanager',
  'com.iqoo.secure',
]);

const ID_BUTTONS: Record<string, PromptButton> = {
  permission_allow_button: 'allow',
  permission_allow_always_button: 'allow',
  permission_allow_foreground_only_button: 'allowForeground',
  permission_allow_one_time_button: 'allowOnce',
  permission_deny_button: 'deny',
  permission_deny_and_dont_ask_again_button: 'denyAlways',
};

// Order matters: "拒绝且不再询问" must not be read as plain "拒绝".
const TEXT_BUTTONS: [PromptButton, RegExp][] = [
  ['denyAlways', /^(拒绝|禁止|不允许).*(不再询问|不再提示|不再提醒)|^(deny|don'?tallow|donotallow).*(don'?t|do not|never)ask/],
  ['allowForeground', /^(仅在?|只在)?(使用(中|期间|该应用时|应用期间|应用程序时|应用时|时)).*允许|^仅在使用中允许|^whileusing|^allowonlywhileusing|^onlywhileusing/],
  ['allowOnce', /^(本次运行|仅本次|仅限这一次|仅限本次|本次)(使用时)?允许|^仅限这一次|^onlythistime|^allowonce/],
  ['deny', /^(拒绝|禁止|不允许)$|^(deny|don'?tallow|donotallow)$/],
  ['allow', /^(允许|始终允许|一律允许|总是允许)$|^(allow|allowallthetime|alwaysallow)$/],
];

const MESSAGE_CUE = /允许.{0,40}(访问|获取|使用|拍摄|录制|发送|查看|拨打|读取|管理|查找|连接|确定|发现)|allow.{0,60}to(access|take|record|make|send|view|read|find|use|know|discover|connect|determine)/;

/*
 * Permission groups are named after Android's own group constants (`android.permission-group.*`,
 * lower case, words joined by "-"): location, camera, microphone, contacts, phone, call-log,
 * sms, calendar, storage, nearby-devices, notifications, sensors, activity-recognition. The
 * analysis reads these names in permission markers (`data.group`) and maps hooked permission
 * names onto the same ones. One simplification: Android 13 split storage into READ_MEDIA_VISUAL
 * and READ_MEDIA_AURAL; all three are "storage" here, as the prompts of older versions say.
 */

/** Permission groups by the words of their prompts. Order matters (call logs before phone). */
const GROUP_WORDS: [string, RegExp][] = [
  ['call-log', /通话记录|calllogs?/],
  ['location', /位置|定位|location/],
  ['camera', /相机|拍摄|拍照|摄像|camera|takepictures/],
  ['microphone', /录音|录制音频|麦克风|microphone|recordaudio/],
  ['contacts', /通讯录|通信录|联系人|contacts/],
  ['sms', /短信|彩信|sms|messages/],
  ['phone', /电话|通话|phonecalls|phone/],
  ['calendar', /日历|calendar/],
  ['nearby-devices', /附近的设备|附近设备|蓝牙|nearbydevices|bluetooth/],
  ['notifications', /通知|notifications/],
  ['sensors', /身体传感器|传感器数据|生命体征|bodysensors|sensordata|vitalsigns/],
  ['activity-recognition', /身体活动|健身运动|physicalactivity/],
  ['storage', /存储|照片|媒体|文件|音乐|视频|photos|media|files|storage|music|videos/],
];

/** Android's grouping of the runtime permissions (PermissionController's PermissionMapping). */
const PERMISSION_GROUPS: Record<string, string> = {
  ACCESS_FINE_LOCATION: 'location',
  ACCESS_COARSE_LOCATION: 'location',
  ACCESS_BACKGROUND_LOCATION: 'location',
  CAMERA: 'camera',
  RECORD_AUDIO: 'microphone',
  READ_CONTACTS: 'contacts',
  WRITE_CONTACTS: 'contacts',
  GET_ACCOUNTS: 'contacts',
  READ_PHONE_STATE: 'phone',
  READ_PHONE_NUMBERS: 'phone',
  CALL_PHONE: 'phone',
  ANSWER_PHONE_CALLS: 'phone',
  ADD_VOICEMAIL: 'phone',
  USE_SIP: 'phone',
  ACCEPT_HANDOVER: 'phone',
  READ_CALL_LOG: 'call-log',
  WRITE_CALL_LOG: 'call-log',
  PROCESS_OUTGOING_CALLS: 'call-log',
  SEND_SMS: 'sms',
  RECEIVE_SMS: 'sms',
  READ_SMS: 'sms',
  RECEIVE_MMS: 'sms',
  RECEIVE_WAP_PUSH: 'sms',
  READ_EXTERNAL_STORAGE: 'storage',
  WRITE_EXTERNAL_STORAGE: 'storage',
  ACCESS_MEDIA_LOCATION: 'storage',
  READ_MEDIA_IMAGES: 'storage',
  READ_MEDIA_VIDEO: 'storage',
  READ_MEDIA_AUDIO: 'storage',
  READ_MEDIA_VISUAL_USER_SELECTED: 'storage',
  READ_CALENDAR: 'calendar',
  WRITE_CALENDAR: 'calendar',
  BLUETOOTH_SCAN: 'nearby-devices',
  BLUETOOTH_CONNECT: 'nearby-devices',
  BLUETOOTH_ADVERTISE: 'nearby-devices',
  NEARBY_WIFI_DEVICES: 'nearby-devices',
  UWB_RANGING: 'nearby-devices',
  POST_NOTIFICATIONS: 'notifications',
  BODY_SENSORS: 'sensors',
  BODY_SENSORS_BACKGROUND: 'sensors',
  ACTIVITY_RECOGNITION: 'activity-recognition',
};

/** Group names as older bundles and other tools spell them. */
const GROUP_ALIASES: Record<string, string> = {
  nearby: 'nearby-devices',
  'body-sensors': 'sensors',
  activity: 'activity-recognition',
  call_log: 'call-log',
  nearby_devices: 'nearby-devices',
  activity_recognition: 'activity-recognition',
  'read-media-visual': 'storage',
  'read-media-aural': 'storage',
};

/**
 * `android.permission.CAMERA`, `CAMERA`, `android.permission-group.CAMERA` or `camera` →
 * `camera`; an unknown permission keeps its short name in lower case.
 */
export function permissionGroup(nameOrGroup: string): string {
  const group = /^android\.permission-group\.([A-Z_]+)$/.exec(nameOrGroup)?.[1];
  if (group) return canonicalGroup(group.toLowerCase().replace(/_/g, '-'));
  const short = nameOrGroup.replace(/^android\.permission\./, '');
  return PERMISSION_GROUPS[short] ?? canonicalGroup(short.toLowerCase());
}

function canonicalGroup(name: string): string {
  return GROUP_ALIASES[name] ?? name;
}

export function groupFromMessage(message: string): string | undefined {
  const n = normaliseLabel(message);
  return GROUP_WORDS.find(([, re]) => re.test(n))?.[0];
}

export interface PromptOptions {
  /** The app under test: its own screens are never taken for the system dialog. */
  appPackage?: string;
}

export function detectPermissionPrompt(tree: UiTree, options: PromptOptions = {}): PermissionPrompt | undefined {
  return byResourceId(tree) ?? bySystemAlert(tree) ?? byText(tree, options);
}

/** Packages that draw access dialogs that are not runtime permissions (USB access, screen capture). */
const SYSTEM_DIALOG_PACKAGES = new Set(['com.android.systemui', 'android']);

/** Titles of the system's access dialogs, by the access they grant (after normaliseLabel). */
const SYSTEM_ACCESS_TITLES: [string, RegExp][] = [
  ['screen-capture', /(开始|使用).{0,30}(录制|投射|录屏|截屏|共享屏幕)|(start|begin)(recording|casting|capturing|sharing)|recordorcast|shareyourscreen|screencapture/],
  ['usb-device', /^allow.{1,60}toaccess.{1,80}$|^允许.{1,30}访问.{1,40}$|usb/],
];

const SYSTEM_REFUSE = /^(取消|拒绝|不允许|禁止|cancel|deny|dontallow|donotallow|notnow)$/;

/**
 * An access dialog drawn by the system UI with the stock AlertDialog ids rather than the
 * permission controller's: "Allow X to access <USB device>?" (OK/Cancel) and the screen-capture
 * consent "要开始使用X录制或投射内容吗？" (立即开始/取消). The positive button is `button1`;
 * the refusing one is whichever of `button2`/`button3` says so (screen capture puts 取消 in the
 * neutral slot, on the left).
 */
function bySystemAlert(tree: UiTree): PermissionPrompt | undefined {
  for (const title of tree.nodes) {
    if (shortId(title.resourceId) !== 'alertTitle' || !SYSTEM_DIALOG_PACKAGES.has(title.package)) continue;
    const text = normaliseLabel(label(title));
    const group = SYSTEM_ACCESS_TITLES.find(([, re]) => re.test(text))?.[0];
    if (!group) continue;
    let root = title;
    while (root.parent && root.parent.depth >= 0) root = root.parent;
    const byId = (id: string) => subtree(root).find((n) => n.resourceId === `android:id/${id}` && n.enabled && n.clickable);
    const allow = byId('button1');
    const others = [byId('button2'), byId('button3')].filter((n): n is UiNode => n !== undefined);
    const deny = others.find((n) => SYSTEM_REFUSE.test(normaliseLabel(controlLabel(n)))) ?? others[0];
    if (!allow || !deny) continue;
    const message = subtree(root).find((n) => n.resourceId === 'android:id/message');
    return {
      source: 'system-dialog',
      package: title.package,
      message: [label(title), message ? label(message) : ''].filter(Boolean).join(' '),
      group,
      buttons: { allow, deny },
      dontAskAgain: undefined,
    };
  }
  return undefined;
}

function byResourceId(tree: UiTree): PermissionPrompt | undefined {
  const buttons: Partial<Record<PromptButton, UiNode>> = {};
  let message: UiNode | undefined;
  let dontAskAgain: UiNode | undefined;
  let pkg = '';
  for (const n of tree.nodes) {
    if (!n.resourceId.includes(':id/')) continue;
    const id = shortId(n.resourceId);
    const kind = ID_BUTTONS[id];
    if (kind && n.enabled) {
      // permission_allow_always_button (API 29 background location) only stands in for "allow".
      if (!(id === 'permission_allow_always_button' && buttons.allow)) buttons[kind] = n;
      pkg ||= n.package;
    } else if (id === 'permission_message') {
      message = n;
      pkg ||= n.package;
    } else if (id === 'do_not_ask_checkbox') {
      dontAskAgain = n;
    }
  }
  if (Object.keys(buttons).length === 0) return undefined;
  const text = message ? label(message) : '';
  return { source: 'resource-id', package: pkg, message: text, group: groupFromMessage(text), buttons, dontAskAgain };
}

function byText(tree: UiTree, options: PromptOptions): PermissionPrompt | undefined {
  const system = (n: UiNode) => PERMISSION_PACKAGES.has(n.package) || (n.package !== '' && options.appPackage !== undefined && n.package !== options.appPackage);
  const candidates = tree.nodes.filter(system);
  const message = candidates.find((n) => MESSAGE_CUE.test(normaliseLabel(label(n))));
  if (!message) return undefined;
  const buttons: Partial<Record<PromptButton, UiNode>> = {};
  for (const n of candidates) {
    const text = normaliseLabel(label(n));
    if (!text || text.length > 24) continue;
    const hit = TEXT_BUTTONS.find(([, re]) => re.test(text));
    const target = clickTarget(n) ?? n;
    if (hit && !buttons[hit[0]]) buttons[hit[0]] = target;
  }
  const allows = buttons.allow ?? buttons.allowForeground ?? buttons.allowOnce;
  const denies = buttons.deny ?? buttons.denyAlways;
  if (!allows || !denies) return undefined;
  const text = label(message);
  return { source: 'text', package: message.package, message: text, group: groupFromMessage(text), buttons, dontAskAgain: undefined };
}

export interface PromptChoice {
  button: UiNode;
  /** Which button was chosen, and whether it differs from what was asked (and why). */
  chosen: PromptButton;
  /** Tick "don't ask again" first (pre-API-30 dialogs). */
  tickDontAsk: boolean;
  note?: string;
}

/**
 * Maps a scenario's answer onto the buttons this dialog has. Android changed the buttons over
 * the versions (API 30 split "allow" into foreground-only and one-time for location, camera and
 * microphone; "deny & don't ask again" replaced the checkbox), so each answer has fallbacks.
 */
export function choosePromptButton(prompt: PermissionPrompt, action: PermissionAction): PromptChoice | undefined {
  const b = prompt.buttons;
  const first = (order: PromptButton[]): [PromptButton, UiNode] | undefined => {
    for (const k of order) if (b[k]) return [k, b[k]];
    return undefined;
  };
  const preferences: Record<PermissionAction, PromptButton[]> = {
    allow: ['allow', 'allowForeground', 'allowOnce'],
    'allow-foreground': ['allowForeground', 'allow', 'allowOnce'],
    'allow-once': ['allowOnce', 'allowForeground', 'allow'],
    deny: ['deny', 'denyAlways'],
    'deny-always': ['denyAlways', 'deny'],
  };
  const hit = first(preferences[action]);
  if (!hit) return undefined;
  const [chosen, button] = hit;
  const tickDontAsk = action === 'deny-always' && chosen === 'deny' && prompt.dontAskAgain !== undefined && !prompt.dontAskAgain.checked;
  const wanted = preferences[action][0];
  const note =
    chosen === wanted || tickDontAsk
      ? undefined
      : `the dialog has no "${wanted}" button; pressed "${chosen}" instead`;
  return { button, chosen, tickDontAsk, ...(note ? { note } : {}) };
}

const PURPOSE_CUE =
  /用于|以便|为了|用来|需要|帮助|方便|为您|为你|提供|权限说明|权限申请|使用说明|目的|usedto|usedfor|sothat|inorderto|tohelp|toprovide|toshow|tofind|toenable|toletyou|weuse|weneed|needs?(access|your)|purpose|why/;

/**
 * Text on screen, drawn by the app (not the system dialog), that explains why a permission of
 * `group` is needed (PERM-NO-PURPOSE, after MIIT's 2021 rule to state the purpose).
 */
export function findPurposeText(tree: UiTree, group: string | undefined, appPackage: string | undefined): string | undefined {
  const words = GROUP_WORDS.find(([g]) => g === group)?.[1];
  const found: string[] = [];
  for (const n of tree.nodes) {
    if (PERMISSION_PACKAGES.has(n.package)) continue;
    if (appPackage && n.package && n.package !== appPackage) continue;
    const text = label(n);
    const norm = normaliseLabel(text);
    if (norm.length < 6 || !PURPOSE_CUE.test(norm)) continue;
    if (words ? words.test(norm) : /权限|permission/.test(norm)) found.push(text);
  }
  return found.length > 0 ? found.join(' / ').slice(0, 500) : undefined;
}

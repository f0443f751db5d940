import type { ScreenSize, UiNode } from './screen-layout.js';
import { STATUS_BAR_HEIGHT } from './screen-layout.js';

/**
 * Windows the system draws: the permission controller's grant dialog and the launcher's home
 * screen. Resource ids, texts and button sets follow AOSP's GrantPermissionsActivity for the
 * device's API level (packageinstaller before Android 10, permissioncontroller after; the
 * foreground-only and one-time buttons from Android 11).
 */
export const LAUNCHER_PACKAGE = 'com.google.android.apps.nexuslauncher';
export const LAUNCHER_ACTIVITY = 'com.google.android.apps.nexuslauncher.NexusLauncherActivity';

export interface PermissionGroup {
  id: string;
  /** "access this device's location" */
  phrase: string;
  /** Location, camera and microphone get while-in-use/one-time buttons from API 30. */
  foregroundOnly: boolean;
}

const GROUPS: [RegExp, PermissionGroup][] = [
  [/\.CAMERA$/, { id: 'camera', phrase: 'take pictures and record video', foregroundOnly: true }],
  [/RECORD_AUDIO$/, { id: 'microphone', phrase: 'record audio', foregroundOnly: true }],
  [/(READ_PHONE_STATE|CALL_PHONE|READ_PHONE_NUMBERS)$/, { id: 'phone', phrase: 'make and manage phone calls', foregroundOnly: false }],
  [/CONTACTS$|GET_ACCOUNTS$/, { id: 'contacts', phrase: 'access your contacts', foregroundOnly: false }],
  [/SMS$/, { id: 'sms', phrase: 'send and view SMS messages', foregroundOnly: false }],
  [/CALL_LOG$/, { id: 'call-log', phrase: 'access your phone call logs', foregroundOnly: false }],
  [/CALENDAR$/, { id: 'calendar', phrase: 'access your calendar', foregroundOnly: false }],
  // Before location, so ACCESS_MEDIA_LOCATION is not taken for the location group.
  [/(EXTERNAL_STORAGE|READ_MEDIA_\w+|ACCESS_MEDIA_LOCATION)$/, { id: 'storage', phrase: 'access photos and media on your device', foregroundOnly: false }],
  [/LOCATION$/, { id: 'location', phrase: 'access this device’s location', foregroundOnly: true }],
  [/(BLUETOOTH_(SCAN|CONNECT|ADVERTISE)|NEARBY_WIFI_DEVICES|UWB_RANGING)$/, { id: 'nearby-devices', phrase: 'find, connect to, and determine the relative position of nearby devices', foregroundOnly: false }],
  [/POST_NOTIFICATIONS$/, { id: 'notifications', phrase: 'send you notifications', foregroundOnly: false }],
  [/BODY_SENSORS(_BACKGROUND)?$/, { id: 'sensors', phrase: 'access sensor data about your vital signs', foregroundOnly: false }],
  [/ACTIVITY_RECOGNITION$/, { id: 'activity-recognition', phrase: 'access your physical activity', foregroundOnly: false }],
];

export function permissionGroup(permission: string): PermissionGroup {
  for (const [re, group] of GROUPS) if (re.test(permission)) return group;
  return { id: permission, phrase: `use ${permission.slice(permission.lastIndexOf('.') + 1)}`, foregroundOnly: false };
}

export function permissionControllerPackage(apiLevel: number): string {
  return apiLevel >= 29 ? 'com.android.permissioncontroller' : 'com.android.packageinstaller';
}

export type DialogButton =
  | 'permission_allow_button'
  | 'permission_allow_foreground_only_button'
  | 'permission_allow_one_time_button'
  | 'permission_deny_button'
  | 'permission_deny_and_dont_ask_again_button'
  | 'do_not_ask_checkbox';

function node(partial: Partial<UiNode> & Pick<UiNode, 'className' | 'bounds' | 'packageName'>): UiNode {
  return {
    resourceId: '',
    modelId: undefined,
    text: '',
    contentDesc: '',
    clickable: false,
    checkable: false,
    checked: false,
    editable: false,
    password: false,
    scrollable: false,
    enabled: true,
    focused: false,
    children: [],
    ...partial,
  };
}

/** The buttons, top to bottom, that this API level shows for a request. */
export function dialogButtons(apiLevel: number, group: PermissionGroup, askedBefore: boolean): [DialogButton, string][] {
  if (apiLevel >= 30) {
    if (group.foregroundOnly) {
      return [
        ['permission_allow_foreground_only_button', 'While using the app'],
        ['permission_allow_one_time_button', 'Only this time'],
        ['permission_deny_button', 'Don’t allow'],
      ];
    }
    return [
      ['permission_allow_button', 'Allow'],
      ['permission_deny_button', 'Don’t allow'],
    ];
  }
  if (apiLevel === 29) {
    const buttons: [DialogButton, string][] =
      group.id === 'location'
        ? [
            ['permission_allow_button', 'Allow all the time'],
            ['permission_allow_foreground_only_button', 'Allow only while using the app'],
          ]
        : [['permission_allow_button', 'Allow']];
    buttons.push(askedBefore ? ['permission_deny_and_dont_ask_again_button', 'Deny & don’t ask again'] : ['permission_deny_button', 'Deny']);
    return buttons;
  }
  const old: [DialogButton, string][] = [
    ['permission_deny_button', 'DENY'],
    ['permission_allow_button', 'ALLOW'],
  ];
  if (askedBefore) old.unshift(['do_not_ask_checkbox', 'Don’t ask again']);
  return old;
}

export function permissionDialog(options: {
  size: ScreenSize;
  apiLevel: number;
  appLabel: string;
  permission: string;
  askedBefore: boolean;
  index: number;
  total: number;
  dontAskChecked?: boolean;
}): UiNode {
  const { size, apiLevel } = options;
  const pkg = permissionControllerPackage(apiLevel);
  const group = permissionGroup(options.permission);
  const id = (name: string): string => `${pkg}:id/${name}`;
  const left = Math.round(size.width * 0.07);
  const right = size.width - left;
  const buttons = dialogButtons(apiLevel, group, options.askedBefore);
  const buttonHeight = 132;
  const top = Math.round(size.height / 2 - (360 + buttons.length * buttonHeight) / 2);
  const messageBottom = top + 330;
  const children: UiNode[] = [
    node({ className: 'android.widget.ImageView', packageName: pkg, resourceId: id('permission_icon'), bounds: [Math.round(size.width / 2) - 40, top + 40, Math.round(size.width / 2) + 40, top + 120] }),
    node({
      className: 'android.widget.TextView',
      packageName: pkg,
      resourceId: id('permission_message'),
      text: `Allow ${options.appLabel} to ${group.phrase}?`,
      bounds: [left + 60, top + 150, right - 60, messageBottom],
    }),
  ];
  if (options.total > 1) {
    children.push(
      node({
        className: 'android.widget.TextView',
        packageName: pkg,
        resourceId: id('current_page_text'),
        text: `${options.index} of ${options.total}`,
        bounds: [left + 60, top + 100, right - 60, top + 150],
      }),
    );
  }
  let y = messageBottom + 20;
  for (const [name, label] of buttons) {
    const checkbox = name === 'do_not_ask_checkbox';
    children.push(
      node({
        className: checkbox ? 'android.widget.CheckBox' : 'android.widget.Button',
        packageName: pkg,
        resourceId: id(name),
        text: label,
        clickable: true,
        checkable: checkbox,
        checked: checkbox ? (options.dontAskChecked ?? false) : false,
        bounds: [left + 40, y, right - 40, y + buttonHeight - 12],
      }),
    );
    y += buttonHeight;
  }
  const dialog = node({
    className: 'android.widget.LinearLayout',
    packageName: pkg,
    resourceId: id('grant_dialog'),
    bounds: [left, top, right, y + 30],
    children,
  });
  return node({
    className: 'android.widget.FrameLayout',
    packageName: pkg,
    bounds: [0, 0, size.width, size.height],
    children: [
      node({ className: 'android.widget.FrameLayout', packageName: pkg, resourceId: id('content_container'), bounds: [0, 0, size.width, size.height], children: [dialog] }),
    ],
  });
}

export function launcherHome(size: ScreenSize, apps: { label: string; packageName: string }[]): UiNode {
  const cols = 4;
  const cell = Math.floor(size.width / cols);
  const icons = apps.slice(0, 20).map((app, i) => {
    const x = (i % cols) * cell;
    const y = STATUS_BAR_HEIGHT + 200 + Math.floor(i / cols) * 300;
    return node({
      className: 'android.widget.TextView',
      packageName: LAUNCHER_PACKAGE,
      resourceId: '',
      text: app.label,
      contentDesc: app.label,
      clickable: true,
      bounds: [x + 20, y, x + cell - 20, y + 260],
    });
  });
  return node({
    className: 'android.widget.FrameLayout',
    packageName: LAUNCHER_PACKAGE,
    bounds: [0, 0, size.width, size.height],
    children: [
      node({
        className: 'android.view.View',
        packageName: LAUNCHER_PACKAGE,
        resourceId: `${LAUNCHER_PACKAGE}:id/workspace`,
        bounds: [0, STATUS_BAR_HEIGHT, size.width, size.height],
        scrollable: true,
        children: icons,
      }),
    ],
  });
}

import type { HookEvent, Marker } from '../../../contracts/bundle-schema.js';
import type { DataTypeId } from '../../../contracts/data-types.js';
import type { Collection } from '../observations.js';
import { list, type RuleContext } from '../rule.js';
import { Timeline } from '../timeline.js';

/**
 * Data types that are not personal on their own and that an app reads to work at all (is there a
 * network, which screen size): the "strictly necessary" exemption of ePrivacy art. 5(3). Rules
 * that judge collection before consent or after refusal skip them unless a lab says otherwise.
 */
export const DEFAULT_EXEMPT = 'network-info,device-model,os-info';

/** Collections minus the data types listed in the rule's `exempt` threshold (dropping emptied ones). */
export function withoutExempt(ctx: RuleContext, cs: readonly Collection[], key = 'exempt'): Collection[] {
  const exempt = new Set(list(ctx, key));
  const out: Collection[] = [];
  for (const c of cs) {
    const types = c.dataTypes.filter((t) => !exempt.has(t));
    if (types.length) out.push(types.length === c.dataTypes.length ? c : { ...c, dataTypes: types });
  }
  return out;
}

/** A permission request seen in the run: from the scenario's marker or from the agent's hook. */
export interface PermissionRequest {
  t: number;
  permissions: string[];
  marker?: Marker;
  event?: HookEvent;
}

/**
 * What a hooked permission API does. The agents record every permission API with the data type
 * `permission-request`, but only a request shows the user a prompt: `checkSelfPermission`,
 * `checkPermission` and `PermissionChecker` ask whether a permission is held, and
 * `shouldShowRequestPermissionRationale` asks whether to explain first. The PERM-* rules count
 * requests only; the method name decides, whatever class it is on.
 */
export type PermissionCall = 'request' | 'check' | 'rationale';

export function permissionCall(api: string): PermissionCall {
  const method = api.slice(api.lastIndexOf('.') + 1);
  if (/^shouldShowRequestPermissionRationale$/i.test(method)) return 'rationale';
  if (/^(check|enforce)\w*Permission|^checkPermission|^checkSelfPermission/i.test(method) || /PermissionChecker\./.test(api)) return 'check';
  return 'request';
}

function isRequestEvent(e: HookEvent): boolean {
  return e.dataType === 'permission-request' && permissionCall(e.api) === 'request';
}

export function permissionRequests(ctx: RuleContext): PermissionRequest[] {
  const out: PermissionRequest[] = [];
  for (const m of ctx.timeline.ofKind('permission.requested')) out.push({ t: m.t, permissions: Timeline.permissionsOf(m), marker: m });
  for (const e of ctx.bundle.events) {
    if (isRequestEvent(e)) out.push({ t: e.t, permissions: e.permissions ?? e.args.filter((a) => a.startsWith('android.permission.')), event: e });
  }
  return out.sort((a, b) => a.t - b.t);
}

/** "android.permission.ACCESS_FINE_LOCATION" → "ACCESS_FINE_LOCATION". */
export function shortPermission(p: string): string {
  return p.replace(/^android\.permission\./, '');
}

/**
 * Permission groups, named after Android's group constants (`android.permission-group.*`, lower
 * case, "-" for "_") as the scenario stage writes them in permission markers (`data.group`):
 * location, storage, contacts, call-log, phone, sms, calendar, camera, microphone,
 * nearby-devices, sensors, activity-recognition, notifications. Android 13's READ_MEDIA_VISUAL
 * and READ_MEDIA_AURAL are folded into storage, as the scenario stage does.
 */
const GROUPS: [RegExp, string][] = [
  // Before location: ACCESS_MEDIA_LOCATION (photo EXIF) is a storage permission.
  [/EXTERNAL_STORAGE|READ_MEDIA_|MEDIA_LOCATION/, 'storage'],
  [/LOCATION$/, 'location'],
  [/CONTACTS|GET_ACCOUNTS/, 'contacts'],
  [/CALL_LOG|PROCESS_OUTGOING_CALLS/, 'call-log'],
  [/PHONE_STATE|PHONE_NUMBERS|CALL_PHONE|ANSWER_PHONE_CALLS|ADD_VOICEMAIL|USE_SIP|ACCEPT_HANDOVER/, 'phone'],
  [/SMS|MMS|WAP_PUSH/, 'sms'],
  [/CALENDAR/, 'calendar'],
  [/CAMERA/, 'camera'],
  [/RECORD_AUDIO/, 'microphone'],
  [/BLUETOOTH|NEARBY_WIFI|UWB_RANGING/, 'nearby-devices'],
  [/BODY_SENSORS/, 'sensors'],
  [/ACTIVITY_RECOGNITION/, 'activity-recognition'],
  [/POST_NOTIFICATIONS/, 'notifications'],
];

/** Group names older bundles (and the group constants themselves) spell differently. */
const GROUP_ALIASES: Record<string, string> = {
  nearby: 'nearby-devices',
  'body-sensors': 'sensors',
  activity: 'activity-recognition',
  'read-media-visual': 'storage',
  'read-media-aural': 'storage',
};

/** The permission group a user sees in the dialog ("location" for FINE and COARSE alike); a group name maps to itself. */
export function permissionGroup(p: string): string {
  const constant = /^android\.permission-group\.([A-Z_]+)$/.exec(p)?.[1];
  if (constant) {
    const name = constant.toLowerCase().replace(/_/g, '-');
    return GROUP_ALIASES[name] ?? name;
  }
  if (!/^(?:android\.permission\.)?[A-Z_]+$/.test(p)) return GROUP_ALIASES[p.toLowerCase()] ?? p.toLowerCase();
  return GROUPS.find(([re]) => re.test(p))?.[1] ?? shortPermission(p);
}

/** "the location permission (ACCESS_FINE_LOCATION)", or "the location permission" for a group. */
export function describePermission(p: string): string {
  const group = permissionGroup(p).replace(/-/g, ' ');
  return /^(?:android\.permission\.)?[A-Z_]+$/.test(p) ? `the ${group} permission (${shortPermission(p)})` : `the ${group} permission`;
}

/** Data types each runtime permission guards (for PERM-BYPASS). */
export function protectedTypes(p: string): DataTypeId[] {
  switch (permissionGroup(p)) {
    case 'location':
      return ['location'];
    case 'phone':
      return ['device-id', 'subscriber-id', 'sim-serial', 'phone-number', 'serial'];
    case 'contacts':
      return ['contacts', 'accounts'];
    case 'call-log':
      return ['call-log'];
    case 'sms':
      return ['sms'];
    case 'calendar':
      return ['calendar'];
    case 'camera':
      return ['camera'];
    case 'microphone':
      return ['microphone'];
    case 'storage':
      return ['media'];
    case 'nearby-devices':
      return ['nearby-devices'];
    default:
      return [];
  }
}

/** Same permission group: markers name groups, hooks name permissions, and FINE/COARSE are one prompt. */
export function samePermission(a: string, b: string): boolean {
  return permissionGroup(a) === permissionGroup(b);
}

export function capEvidence(ids: string[], max = 200): string[] {
  return [...new Set(ids)].slice(0, max);
}

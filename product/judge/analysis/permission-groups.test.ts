import { describe, expect, it } from 'vitest';
import { permissionGroup as scenarioGroup } from '../../capture/scenarios/permission-detector.js';
import { permissionGroup as ruleGroup } from './rules/common.js';

/**
 * The scenario stage writes permission groups into markers (`data.group`) and the PERM-* rules
 * pair them with permission names from hooks: both sides must name every group alike, after
 * Android's own group constants.
 */
const RUNTIME_PERMISSIONS = [
  'ACCESS_FINE_LOCATION',
  'ACCESS_COARSE_LOCATION',
  'ACCESS_BACKGROUND_LOCATION',
  'ACCESS_MEDIA_LOCATION',
  'CAMERA',
  'RECORD_AUDIO',
  'READ_CONTACTS',
  'WRITE_CONTACTS',
  'GET_ACCOUNTS',
  'READ_PHONE_STATE',
  'READ_PHONE_NUMBERS',
  'CALL_PHONE',
  'ANSWER_PHONE_CALLS',
  'ADD_VOICEMAIL',
  'USE_SIP',
  'READ_CALL_LOG',
  'WRITE_CALL_LOG',
  'PROCESS_OUTGOING_CALLS',
  'SEND_SMS',
  'RECEIVE_SMS',
  'READ_SMS',
  'RECEIVE_MMS',
  'RECEIVE_WAP_PUSH',
  'READ_EXTERNAL_STORAGE',
  'WRITE_EXTERNAL_STORAGE',
  'READ_MEDIA_IMAGES',
  'READ_MEDIA_VIDEO',
  'READ_MEDIA_AUDIO',
  'READ_CALENDAR',
  'WRITE_CALENDAR',
  'BLUETOOTH_SCAN',
  'BLUETOOTH_CONNECT',
  'BLUETOOTH_ADVERTISE',
  'NEARBY_WIFI_DEVICES',
  'UWB_RANGING',
  'POST_NOTIFICATIONS',
  'BODY_SENSORS',
  'BODY_SENSORS_BACKGROUND',
  'ACTIVITY_RECOGNITION',
];

const GROUP_CONSTANTS = ['LOCATION', 'CAMERA', 'MICROPHONE', 'CONTACTS', 'PHONE', 'CALL_LOG', 'SMS', 'CALENDAR', 'STORAGE', 'NEARBY_DEVICES', 'NOTIFICATIONS', 'SENSORS', 'ACTIVITY_RECOGNITION'];

describe('permission groups: scenario markers and rules agree', () => {
  it('maps every runtime permission to the same group on both sides', () => {
    for (const p of RUNTIME_PERMISSIONS) {
      expect(ruleGroup(`android.permission.${p}`), p).toBe(scenarioGroup(`android.permission.${p}`));
      expect(ruleGroup(p), p).toBe(scenarioGroup(p));
    }
    expect(ruleGroup('android.permission.ACCESS_MEDIA_LOCATION')).toBe('storage');
  });

  it('names the groups after the android.permission-group constants, on both sides', () => {
    for (const g of GROUP_CONSTANTS) {
      const name = g.toLowerCase().replace(/_/g, '-');
      expect(scenarioGroup(`android.permission-group.${g}`)).toBe(name);
      expect(ruleGroup(`android.permission-group.${g}`)).toBe(name);
      // A group name in a marker maps to itself.
      expect(ruleGroup(name)).toBe(name);
      expect(scenarioGroup(name)).toBe(name);
    }
    const used = new Set(RUNTIME_PERMISSIONS.map((p) => scenarioGroup(p)));
    expect([...used].every((g) => GROUP_CONSTANTS.map((c) => c.toLowerCase().replace(/_/g, '-')).includes(g))).toBe(true);
  });

  it('reads older bundles that spelt nearby, body-sensors and activity otherwise', () => {
    expect(['nearby', 'body-sensors', 'activity'].map(ruleGroup)).toEqual(['nearby-devices', 'sensors', 'activity-recognition']);
  });
});

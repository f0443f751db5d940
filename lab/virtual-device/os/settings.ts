import type { DeviceIdentity } from '../contracts.js';

export type SettingsNamespace = 'global' | 'secure' | 'system';
export const SETTINGS_NAMESPACES: readonly SettingsNamespace[] = ['global', 'secure', 'system'];

export function isSettingsNamespace(value: string): value is SettingsNamespace {
  return (SETTINGS_NAMESPACES as readonly string[]).includes(value);
}

/** Settings.Global/Secure/System with the values a fresh lab handset has. */
export function defaultSettings(id: DeviceIdentity): Record<SettingsNamespace, Map<string, string>> {
  return {
    global: new Map([
      ['adb_enabled', '1'],
      ['airplane_mode_on', '0'],
      ['animator_duration_scale', '1.0'],
      ['auto_time', '1'],
      ['bluetooth_on', '1'],
      ['data_roaming', '0'],
      ['development_settings_enabled', '1'],
      ['device_name', id.model],
      ['device_provisioned', '1'],
      ['mobile_data', '1'],
      ['stay_on_while_plugged_in', '7'],
      ['transition_animation_scale', '1.0'],
      ['wifi_on', '1'],
      ['window_animation_scale', '1.0'],
    ]),
    secure: new Map([
      ['android_id', id.androidId],
      ['bluetooth_address', id.bluetoothMac.toUpperCase()],
      ['default_input_method', 'com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME'],
      ['enabled_input_methods', 'com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME'],
      ['location_mode', '3'],
      ['location_providers_allowed', 'gps,network'],
      ['user_setup_complete', '1'],
    ]),
    system: new Map([
      ['accelerometer_rotation', '1'],
      ['font_scale', '1.0'],
      ['screen_brightness', '102'],
      ['screen_off_timeout', '600000'],
      ['time_12_24', '24'],
    ]),
  };
}

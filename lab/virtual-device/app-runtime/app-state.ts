/**
 * What an app remembers between launches (its SharedPreferences, in effect): consent, asked
 * and denied permissions, launch count. Survives process death and relaunch; reset by
 * `pm clear` and by uninstall, as app data is on Android.
 */
export interface AppState {
  consent: 'pending' | 'accepted' | 'refused';
  launchCount: number;
  /** Permission groups the app has requested before (drives "don't ask again" variants). */
  askedGroups: Set<string>;
  /** Permissions the user denied in a dialog. */
  denied: Set<string>;
  /** How many times each group was denied (the second denial is final from Android 11). */
  denials: Map<string, number>;
}

export function freshAppState(): AppState {
  return { consent: 'pending', launchCount: 0, askedGroups: new Set(), denied: new Set(), denials: new Map() };
}

/** One thing an app did, kept for tests and debugging (not part of any evidence contract). */
export interface AppActivity {
  time: number;
  packageName: string;
  pid: number;
  kind:
    | 'launch'
    | 'screen'
    | 'call'
    | 'request'
    | 'download'
    | 'permission-request'
    | 'permission-dialog'
    | 'permission-result'
    | 'consent'
    | 'exit'
    | 'start-package'
    | 'sensor'
    | 'native-open'
    | 'background'
    | 'foreground';
  detail: Record<string, unknown>;
}

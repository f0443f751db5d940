/**
 * Every stable error code consentry raises, one list per family. A ConsentryError takes only a
 * code from these lists (checked at compile time), so a new code is added here, in its family,
 * where a lab reading exit records or the farm's retry policy finds it. What each family means:
 *
 * - input: the user's input is wrong; exit 2 with file, field and what was expected.
 * - app: the app under test (its files, its install, its run) failed; the farm's retry policy
 *   (product/farm/retry-policy.ts) does not blame the device for it, nor for an input error.
 * - device: the phone, adb, Appium, Frida or the capture path failed; the farm moves the app to
 *   another device and counts the failure towards quarantine.
 * - environment: a tool of this host is missing, hung or exited.
 * - run: the harness's own bookkeeping during a run (bundle writer, stage wiring, interruption).
 * - tooling: the benchmarks.
 * - lab: the virtual device, the demo and the corpora (never raised on a real-device path).
 */
export const ERROR_CODES = {
  input: [
    'USAGE',
    'BAD_OPTION',
    'FILE_INVALID',
    'FILE_SYNTAX',
    'FILE_UNREADABLE',
    'CONFIG_INVALID',
    'CONFIG_NOT_FOUND',
    'CA_INVALID',
    'DECLARED_INVALID',
    'POLICY_NOT_FILE',
    'POLICY_NOT_TEXT',
    'POLICY_UNREADABLE',
    'SCENARIO_ID_MISMATCH',
    'SCENARIO_INCLUDE_CYCLE',
    'SCENARIO_INCLUDE_UNKNOWN',
    'SCENARIO_NOT_FOUND',
    'INVALID_OBSERVE_SCALE',
    'APP_LIST_EMPTY',
    'APP_LIST_INVALID',
    'APP_LIST_NOT_FOUND',
    'APP_LIST_SYNTAX',
    'BATCH_NOT_FOUND',
    'BUNDLE_DAMAGED',
    'BUNDLE_NOT_FOUND',
    'NOT_ANALYSED',
    'NOT_QUARANTINED',
    'PROFILES_DIR_MISSING',
    'PROFILE_DUPLICATE_ID',
    'PROFILE_UNKNOWN',
    'AVD_NAME_INVALID',
    'EMULATOR_PORT_INVALID',
    'DIFF_DIFFERENT_APPS',
    'POLICY_TOO_LARGE',
  ],
  app: [
    /** Not an APK, split APKs or XAPK. */
    'APP_UNSUPPORTED_FORMAT',
    /** Not a readable zip: truncated, bad central directory, inconsistent sizes. */
    'APP_ZIP_INVALID',
    /** Declared or real uncompressed size beyond the caps, or a suspicious compression ratio. */
    'APP_ZIP_BOMB',
    /** An entry name that would escape the extraction folder (`../`, absolute, backslashes). */
    'APP_ZIP_TRAVERSAL',
    /** An entry larger than what consentry agrees to read into memory. */
    'APP_ENTRY_TOO_LARGE',
    /** AndroidManifest.xml is missing or not valid binary XML. */
    'APP_MANIFEST_INVALID',
    /** A manifest value (package name, version, split name) fails validation. */
    'APP_MANIFEST_VALUE',
    /** classes*.dex is not a DEX file or its header points outside the file. */
    'APP_DEX_INVALID',
    /** The APK Signing Block or a v1 signature block cannot be parsed. */
    'APP_SIGNATURE_INVALID',
    /** Splits or XAPK parts that do not belong together. */
    'APP_SPLITS_INCONSISTENT',
    /** A --reference value that is neither a digest, a certificate nor an APK. */
    'APP_REFERENCE_INVALID',
    /** A package name from an APK that may not reach a shell or a file name. */
    'INVALID_PACKAGE_NAME',
    /** The package manager refused the app (pm's INSTALL_FAILED_* / INSTALL_PARSE_FAILED_*). */
    'INSTALL_FAILED',
    'INSTALL_REJECTED',
    /** The scenario could not go on because of what the app did (not the automation). */
    'SCENARIO_INCOMPLETE',
    'SCENARIO_STEP_FAILED',
  ],
  device: [
    'ADB_UNREACHABLE',
    'DEVICE_COMMAND_FAILED',
    'DEVICE_CONNECT_FAILED',
    'DEVICE_LOST',
    'DEVICE_NONE',
    'DEVICE_NONE_FREE',
    'NO_DEVICE_AVAILABLE',
    'DEVICE_NOT_FOUND',
    'DEVICE_QUARANTINED',
    'DEVICE_UNHEALTHY',
    'LEASE_LOST',
    'POOL_CLOSED',
    'PROFILE_INCOMPLETE',
    'EMULATOR_FAILED',
    'APPIUM_START_FAILED',
    'APPIUM_SESSION_FAILED',
    'APPIUM_SESSION_LOST',
    'FRIDA_DEVICE_UNREACHABLE',
    'FRIDA_SPAWN_FAILED',
    'AGENT_NOT_READY',
    'VIRTUAL_FRIDA',
    'CAPTURE_START_FAILED',
    'CAPTURE_CA',
  ],
  environment: ['TOOL_MISSING', 'TIMEOUT', 'PROCESS_EXITED', 'PROCESS_FAILED', 'AGENT_NOT_BUILT'],
  run: [
    'RUN_FAILED',
    'RUN_INTERRUPTED',
    'SCENARIO_INTERRUPTED',
    'BUNDLE_CLOSED',
    'BUNDLE_EXISTS',
    'BUNDLE_TRUSTED_ID',
    'DUPLICATE_CAPTURE_ADAPTER',
    'UNKNOWN_CAPTURE_ADAPTER',
  ],
  tooling: ['BENCH_DEVICES', 'BENCH_UNKNOWN', 'BENCH_WORKER_OUTPUT'],
  lab: ['VD_BAD_COUNT', 'VD_START_FAILED', 'DEVICE_VIRTUAL_START', 'DEMO_APK_MISSING', 'DEMO_NO_APPS', 'MODEL_INVALID', 'MODEL_TOO_LARGE', 'APK_UNREADABLE', 'CORPUS_LABEL'],
} as const;

export type ErrorFamily = keyof typeof ERROR_CODES;
export type ErrorCode = (typeof ERROR_CODES)[ErrorFamily][number];
export type InputErrorCode = (typeof ERROR_CODES)['input'][number];
/** The app family's codes about the app's files (APP_*), which apps/errors.ts raises. */
export type AppFileErrorCode = Extract<(typeof ERROR_CODES)['app'][number], `APP_${string}`>;

/** The family a code belongs to. */
export function errorFamily(code: string): ErrorFamily | undefined {
  for (const [family, codes] of Object.entries(ERROR_CODES) as [ErrorFamily, readonly string[]][]) if (codes.includes(code)) return family;
  return undefined;
}

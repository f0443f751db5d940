import { errorMessage } from '../../core/errors.js';
import { assertPackageName, safeFileSegment } from '../../core/untrusted.js';
import type { AdbDevice } from './adb-device.js';
import { InstallError } from './errors.js';
import type { DeviceJournal } from './journal.js';
import type { DeviceProfile } from './profile-schema.js';

/**
 * The part of product/evidence/apps' AppPackage the installer needs: the package name and the APK files
 * in install order (base first). An AppPackage fits as it is.
 */
export interface InstallableApp {
  packageName: string;
  files: readonly { path: string; size: number; splitName?: string }[];
}

export interface InstallTarget {
  serial: string;
  device: AdbDevice;
  profile: DeviceProfile;
}

export interface InstallResult {
  packageName: string;
  method: 'install' | 'install-multiple';
  files: number;
  bytes: number;
  /** `pm path` after install: the APK paths on the device. */
  devicePaths: string[];
}

const STAGING = '/data/local/tmp';

/** "Failure [INSTALL_FAILED_OLDER_SDK: ...]" → the code in brackets. */
export function parsePmResult(out: string): { ok: true } | { ok: false; code: string; detail: string } {
  if (/^Success/m.test(out)) return { ok: true };
  const m = /Failure \[([A-Z_0-9]+)(?::\s*([^\]]*))?\]/.exec(out);
  if (m) return { ok: false, code: m[1]!, detail: m[2]?.trim() ?? '' };
  return { ok: false, code: 'UNKNOWN', detail: out.trim().split('\n').slice(-2).join(' ') || 'no output' };
}

/** Errors the package manager reports that another device or a later try could fix. */
const RETRYABLE_PM = new Set(['INSTALL_FAILED_INSUFFICIENT_STORAGE', 'INSTALL_FAILED_INTERNAL_ERROR', 'UNKNOWN']);

/**
 * Installs an app: one APK with `pm install`, splits with an install session
 * (install-create / install-write / install-commit, what `adb install-multiple` does), staged
 * through /data/local/tmp. The package name is validated before it reaches any shell command.
 */
export async function installApp(target: InstallTarget, app: InstallableApp, journal?: DeviceJournal): Promise<InstallResult> {
  const pkg = assertPackageName(app.packageName);
  const { device, serial, profile } = target;
  if (app.files.length === 0) throw new InstallError(serial, pkg, 'the app has no APK files');
  const bytes = app.files.reduce((n, f) => n + f.size, 0);
  if (bytes > profile.maxInstallBytes) {
    throw new InstallError(serial, pkg, `${bytes} bytes exceed the profile ${profile.id} limit of ${profile.maxInstallBytes} (maxInstallBytes)`);
  }
  const staged = app.files.map((f, i) => `${STAGING}/consentry-${safeFileSegment(pkg)}-${i}.apk`);
  const cleanup = async () => {
    await device.shell(`rm -f ${staged.join(' ')}`).catch(() => '');
  };
  try {
    for (const [i, f] of app.files.entries()) await device.push({ path: f.path }, staged[i]!, 0o644);
    let method: InstallResult['method'];
    if (app.files.length === 1) {
      method = 'install';
      // -r replace, -t allow test-only APKs; runtime permissions are NOT granted (-g): the
      // consent checks need the app's own prompts.
      const result = parsePmResult(await device.shell(`pm install -r -t ${staged[0]}`, { timeoutMs: 300_000 }));
      if (!result.ok) throw new InstallError(serial, pkg, `${result.code} ${result.detail}`.trim(), { retryable: RETRYABLE_PM.has(result.code) });
    } else {
      method = 'install-multiple';
      await installSession(target, pkg, app, staged, bytes);
    }
    const paths = (await device.shell(`pm path ${pkg}`))
      .split(/\r?\n/)
      .filter((l) => l.startsWith('package:'))
      .map((l) => l.slice('package:'.length).trim());
    if (paths.length === 0) throw new InstallError(serial, pkg, 'the package manager reported success but "pm path" does not list the app', { retryable: true });
    journal?.record('install', `${pkg}: ${app.files.length} APK(s), ${bytes} bytes (${method})`, [
      { kind: 'shell', command: `pm uninstall ${pkg}`, asRoot: false },
    ]);
    return { packageName: pkg, method, files: app.files.length, bytes, devicePaths: paths };
  } catch (e) {
    journal?.failed('install', pkg, errorMessage(e));
    if (e instanceof InstallError) throw e;
    throw new InstallError(serial, pkg, errorMessage(e), { cause: e, retryable: true });
  } finally {
    await cleanup();
  }
}

async function installSession(target: InstallTarget, pkg: string, app: InstallableApp, staged: string[], bytes: number): Promise<void> {
  const { device, serial } = target;
  const created = await device.shell(`pm install-create -r -t -S ${bytes}`);
  const session = /\[(\d+)\]/.exec(created)?.[1];
  if (!session) throw new InstallError(serial, pkg, `pm install-create: ${created.trim() || 'no session id'}`, { retryable: true });
  try {
    for (const [i, f] of app.files.entries()) {
      const name = `${i}_${safeFileSegment(f.splitName ?? (i === 0 ? 'base' : `split${i}`))}.apk`;
      const out = await device.shell(`pm install-write -S ${f.size} ${session} ${name} ${staged[i]}`, { timeoutMs: 300_000 });
      const result = parsePmResult(out);
      if (!result.ok) throw new InstallError(serial, pkg, `install-write ${name}: ${result.code} ${result.detail}`.trim());
    }
    const commit = parsePmResult(await device.shell(`pm install-commit ${session}`, { timeoutMs: 300_000 }));
    if (!commit.ok) throw new InstallError(serial, pkg, `${commit.code} ${commit.detail}`.trim(), { retryable: RETRYABLE_PM.has(commit.code) });
  } catch (e) {
    await device.shell(`pm install-abandon ${session}`).catch(() => '');
    throw e;
  }
}

import type { CaCertificate } from './ca-cert.js';
import type { DeviceFacts } from './facts.js';
import type { CaMethod, DeviceProfile } from './profile-schema.js';

/**
 * Shell scripts for each way of getting the capture CA trusted. Pure functions: the preparer
 * runs them, the tests read them. Scripts end with a marker so success does not depend on the
 * shell reporting exit codes over adb's legacy shell service.
 */
export const SYSTEM_CACERTS = '/system/etc/security/cacerts';
export const APEX_CACERTS = '/apex/com.android.conscrypt/cacerts';
export const USER_CACERTS = '/data/misc/user/0/cacerts-added';
export const STAGING_DIR = '/data/local/tmp';
export const OK_MARKER = '__consentry_ok__';

export type ResolvedCaMethod = Exclude<CaMethod, 'auto'>;

/** auto → the strongest method the device allows. */
export function resolveCaMethod(profile: DeviceProfile, facts: Pick<DeviceFacts, 'apiLevel' | 'root'>): ResolvedCaMethod {
  if (profile.ca.method !== 'auto') return profile.ca.method;
  const rooted = profile.root !== 'none' || facts.root !== 'none';
  if (!rooted) return 'user-prompt';
  // Android 14 (API 34) loads system CAs from the updatable conscrypt APEX, not /system.
  return facts.apiLevel >= 34 ? 'apex-conscrypt' : 'system-tmpfs';
}

export interface CaPlan {
  method: ResolvedCaMethod;
  /** Where the PEM is pushed first (readable by the shell user). */
  stagedPath: string;
  /** Root script that installs it (empty for system-file, which pushes in place). */
  script: string;
  /** File whose contents prove the CA is in place. */
  verifyPath: string;
  /** Root script that removes it again. */
  undoScript: string;
  /** Things a person must know (manual steps, unverified techniques). */
  notes: string[];
}

const and = (lines: string[]) => [...lines, `echo ${OK_MARKER}`].join(' && ');

/**
 * The tmpfs overlay: copy the image's CAs to staging, mount a tmpfs over the store, copy them
 * back with ours, restore owner, mode and SELinux label. It vanishes on reboot, which is the
 * point: nothing persistent is changed on the phone.
 */
function tmpfsOverlay(ca: CaCertificate, staged: string): string[] {
  const tmp = `${STAGING_DIR}/consentry-cacerts`;
  return [
    `if ! grep -q ' ${SYSTEM_CACERTS} tmpfs' /proc/mounts; then rm -rf ${tmp} && mkdir -p ${tmp} && cp ${SYSTEM_CACERTS}/* ${tmp}/ && mount -t tmpfs tmpfs ${SYSTEM_CACERTS} && cp ${tmp}/* ${SYSTEM_CACERTS}/ && rm -rf ${tmp}; fi`,
    `cp ${staged} ${SYSTEM_CACERTS}/${ca.fileName}`,
    `chown root:root ${SYSTEM_CACERTS}/*`,
    `chmod 644 ${SYSTEM_CACERTS}/*`,
    `chcon u:object_r:system_file:s0 ${SYSTEM_CACERTS}/*`,
  ];
}

export function planCaInstall(method: ResolvedCaMethod, ca: CaCertificate): CaPlan {
  const staged = `${STAGING_DIR}/consentry-ca-${ca.fileName}`;
  switch (method) {
    case 'system-file':
      return {
        method,
        stagedPath: `${SYSTEM_CACERTS}/${ca.fileName}`,
        script: '',
        verifyPath: `${SYSTEM_CACERTS}/${ca.fileName}`,
        undoScript: `rm -f ${SYSTEM_CACERTS}/${ca.fileName}`,
        notes: ['needs a writable /system (virtual device; emulator started with -writable-system after adb remount)'],
      };
    case 'system-tmpfs':
      return {
        method,
        stagedPath: staged,
        script: and(tmpfsOverlay(ca, staged)),
        verifyPath: `${SYSTEM_CACERTS}/${ca.fileName}`,
        undoScript: `umount ${SYSTEM_CACERTS}`,
        notes: [],
      };
    case 'apex-conscrypt': {
      // Android 14+: bind the overlay over the APEX store in init's namespace, then inside the
      // mount namespace of each zygote and of every app process they forked, so that running
      // and future apps see it. Written from the documented technique; not yet verified on
      // hardware by this project.
      const bind = `mount --bind ${SYSTEM_CACERTS} ${APEX_CACERTS}`;
      const inNs = (pidExpr: string) =>
        `for P in ${pidExpr}; do nsenter --mount=/proc/$P/ns/mnt -- /bin/mount --bind ${SYSTEM_CACERTS} ${APEX_CACERTS} || true; done`;
      return {
        method,
        stagedPath: staged,
        script: and([
          ...tmpfsOverlay(ca, staged),
          bind,
          inNs('$(pidof zygote zygote64)'),
          inNs('$(for Z in $(pidof zygote zygote64); do ps -o PID= -P $Z; done)'),
        ]),
        verifyPath: `${APEX_CACERTS}/${ca.fileName}`,
        undoScript: [
          `for P in $(pidof zygote zygote64); do nsenter --mount=/proc/$P/ns/mnt -- /bin/umount ${APEX_CACERTS} || true; done`,
          `umount ${APEX_CACERTS} || true`,
          `umount ${SYSTEM_CACERTS} || true`,
        ].join('; '),
        notes: [
          'apex-conscrypt: mount-namespace technique, unverified on hardware; apps running before teardown keep the CA until restarted (a reboot clears everything)',
        ],
      };
    }
    case 'user-added':
      return {
        method,
        stagedPath: staged,
        script: and([
          `mkdir -p ${USER_CACERTS}`,
          `cp ${staged} ${USER_CACERTS}/${ca.fileName}`,
          `chown system:system ${USER_CACERTS}/${ca.fileName}`,
          `chmod 644 ${USER_CACERTS}/${ca.fileName}`,
        ]),
        verifyPath: `${USER_CACERTS}/${ca.fileName}`,
        undoScript: `rm -f ${USER_CACERTS}/${ca.fileName}`,
        notes: ['user store: apps targeting API 24+ trust it only if their network security config opts in'],
      };
    case 'user-prompt':
      return {
        method,
        stagedPath: '/sdcard/Download/consentry-ca.crt',
        script: '',
        verifyPath: '',
        undoScript: 'rm -f /sdcard/Download/consentry-ca.crt',
        notes: [
          'no root: install the CA by hand: Settings > Security > Encryption & credentials > Install a certificate > CA certificate > Download/consentry-ca.crt',
          'user store: apps targeting API 24+ trust it only if their network security config opts in',
        ],
      };
    case 'none':
      return { method, stagedPath: '', script: '', verifyPath: '', undoScript: '', notes: ['CA not installed (profile says none): TLS stays opaque'] };
  }
}

/** Compares PEMs ignoring line endings and surrounding blank space. */
export function samePem(a: string, b: string): boolean {
  const norm = (s: string) => s.replace(/\r/g, '').trim();
  return norm(a) === norm(b);
}

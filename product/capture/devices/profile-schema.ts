import { z } from 'zod';

/**
 * A device profile is a definition (YAML, validated once); the pool and the preparer are its
 * implementation. Profiles say how to treat a family of devices: how to match them, how to get
 * the capture CA trusted, how to route traffic to the proxy, whether frida-server is pushed,
 * and how to reset between apps.
 */

const Regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a valid regular expression' },
);

export const ProfileMatch = z
  .object({
    /** Regular expression on the adb serial (e.g. "^emulator-\\d+$"). */
    serial: Regex.optional(),
    /** Regular expression on ro.product.model, matched against the whole value. */
    model: Regex.optional(),
    /** Regular expression on ro.product.name (the product), whole value. */
    product: Regex.optional(),
    manufacturer: Regex.optional(),
    apiLevel: z
      .object({ min: z.number().int().min(1).optional(), max: z.number().int().min(1).optional() })
      .strict()
      .optional(),
    /** Only devices that `su` or adbd-root work on. */
    rooted: z.boolean().optional(),
    /** ro.kernel.qemu = 1 (Android Studio emulator images). */
    emulator: z.boolean().optional(),
  })
  .strict();
export type ProfileMatch = z.infer<typeof ProfileMatch>;

/**
 * How the capture CA gets trusted. `auto` picks from the facts at prepare time:
 * virtual device → system-file, rooted API ≥ 34 → apex-conscrypt, rooted → system-tmpfs,
 * otherwise user-prompt.
 */
export const CaMethod = z.enum([
  'auto',
  /** Write /system/etc/security/cacerts/<hash>.0 directly: writable /system (virtual device, emulator after remount). */
  'system-file',
  /** Root: tmpfs over /system/etc/security/cacerts with the existing certs plus ours (Android 7-13). */
  'system-tmpfs',
  /** Root, Android 14+: the same tmpfs bind-mounted over the conscrypt APEX store in every mount namespace. */
  'apex-conscrypt',
  /** Root: /data/misc/user/0/cacerts-added/<hash>.0 (only apps that opt in to user CAs trust it). */
  'user-added',
  /** No root: push the PEM and open the system installer; a person must confirm on the phone. */
  'user-prompt',
  'none',
]);
export type CaMethod = z.infer<typeof CaMethod>;

export const RootMethod = z.enum(['none', 'su', 'adbd']);
export type RootMethod = z.infer<typeof RootMethod>;

export const FridaSettings = z
  .object({
    /** `frida` on phones; `consentry-virtual` for the virtual device's built-in shim; `none`. */
    module: z.enum(['frida', 'consentry-virtual', 'none']).default('none'),
    /** Where frida-server lives on the device. */
    serverPath: z.string().startsWith('/').default('/data/local/tmp/frida-server'),
    /** Host file to push to serverPath before starting (per ABI); absent: it must already be there. */
    hostBinary: z.string().optional(),
    /** Start command; {path} and {port} are substituted. Runs as root when the profile has root. */
    startCommand: z.string().default('{path} -l 127.0.0.1:{port} -D'),
    port: z.number().int().min(1).max(65535).default(27042),
  })
  .strict();
export type FridaSettings = z.infer<typeof FridaSettings>;

export const ProxySettings = z
  .object({
    /**
     * adb-reverse: `adb reverse tcp:P tcp:HOSTPORT` plus `settings put global http_proxy 127.0.0.1:P`,
     * which works over USB with no Wi-Fi setup. wifi: the global proxy points at `host` directly.
     */
    method: z.enum(['adb-reverse', 'wifi', 'none']).default('adb-reverse'),
    /** For wifi: the host address the phone can reach. */
    host: z.string().optional(),
    /** Device-side port for adb-reverse; default: the host proxy port. */
    devicePort: z.number().int().min(1).max(65535).optional(),
  })
  .strict();
export type ProxySettings = z.infer<typeof ProxySettings>;

export const HealthThresholds = z
  .object({
    shellTimeoutMs: z.number().int().positive().default(10_000),
    minFreeBytes: z.number().int().nonnegative().default(512 * 1024 * 1024),
    minBatteryPercent: z.number().min(0).max(100).default(15),
    maxBatteryTemperatureC: z.number().default(45),
    /** Android thermal status: 0 none, 1 light, 2 moderate, 3 severe, 4 critical, 5 emergency, 6 shutdown. */
    maxThermalStatus: z.number().int().min(0).max(6).default(2),
    /** Above this, health fails unless the preparer can set the clock. */
    maxClockSkewMs: z.number().int().nonnegative().default(5 * 60_000),
  })
  .strict();
export type HealthThresholds = z.infer<typeof HealthThresholds>;

export const DeviceProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id with dashes'),
    description: z.string().default(''),
    /** Empty match: a fallback used only when nothing more specific matches. */
    match: ProfileMatch.default({}),
    /** Expected values, for documentation and for matching by profile before the device is seen. */
    apiLevel: z.number().int().min(1).optional(),
    abi: z.string().optional(),
    root: RootMethod.default('none'),
    ca: z.object({ method: CaMethod.default('auto') }).strict().prefault({}),
    frida: FridaSettings.default({
      module: 'none',
      serverPath: '/data/local/tmp/frida-server',
      startCommand: '{path} -l 127.0.0.1:{port} -D',
      port: 27042,
    }),
    proxy: ProxySettings.prefault({}),
    maxInstallBytes: z.number().int().positive().default(2 * 1024 ** 3),
    reset: z.enum(['uninstall', 'clear', 'none']).default('uninstall'),
    clock: z
      .object({
        /** Try to set the device clock to the host's (root), or turn on network time (no root). */
        sync: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    health: HealthThresholds.prefault({}),
    /** Extra Appium capabilities (without the "appium:" prefix), e.g. skipServerInstallation. */
    appium: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  })
  .strict();
export type DeviceProfile = z.infer<typeof DeviceProfileSchema>;

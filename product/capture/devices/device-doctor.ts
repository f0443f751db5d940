import { errorMessage } from '../../core/errors.js';
import type { AdbDevice } from './adb-device.js';
import { resolveCaMethod, samePem, APEX_CACERTS, SYSTEM_CACERTS, USER_CACERTS } from './ca-install.js';
import { parseDeviceState, stateHint } from './device-state.js';
import { readFacts, type DeviceFacts } from './facts.js';
import { judgeHealth } from './health.js';
import type { DeviceProfile } from './profile-schema.js';

/**
 * `consentry doctor --device SERIAL`: what a lab engineer checks on an unknown phone before
 * trusting a run on it, one line each with the fix. Read-only: nothing on the phone is changed
 * (the capture CA and the proxy are what a run installs; here we only say whether it can).
 */
export interface DeviceCheck {
  id: string;
  /** A failed required check makes the phone unfit; an optional one is a warning. */
  required: boolean;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface DeviceDoctorInput {
  device: AdbDevice;
  /** The state adb reports for the serial (device, unauthorized, offline...). */
  adbState: string;
  /** The profile the phone matches (from its facts), when one does. */
  profileFor: (facts: DeviceFacts) => DeviceProfile | undefined;
  /** The farm's capture CA (PEM and its store file name), to see whether it is already trusted. */
  ca?: { pem: string; fileName: string };
  /** The installed frida binding's version, when it loads. */
  fridaBindingVersion?: string;
  timeoutMs?: number;
}

/** The oldest Android the hooks and the UiAutomator2 server are written for. */
const MIN_API = 24;
const UIA2_SERVER = 'io.appium.uiautomator2.server';

export async function diagnoseDevice(input: DeviceDoctorInput): Promise<{ checks: DeviceCheck[]; facts?: DeviceFacts }> {
  const checks: DeviceCheck[] = [];
  const { state } = parseDeviceState(input.adbState);
  checks.push(
    state === 'device'
      ? { id: 'adb', required: true, ok: true, detail: 'authorised and online' }
      : { id: 'adb', required: true, ok: false, detail: `adb state "${input.adbState}"`, fix: stateHint(state) },
  );
  if (state !== 'device') return { checks };

  const timeoutMs = input.timeoutMs ?? 10_000;
  const shell = (cmd: string) => input.device.shell(cmd, { timeoutMs }).catch((e: unknown) => `__error__ ${errorMessage(e)}`);
  let facts: DeviceFacts;
  try {
    facts = await readFacts(input.device, { timeoutMs });
  } catch (e) {
    checks.push({ id: 'shell', required: true, ok: false, detail: `the shell does not answer: ${errorMessage(e)}`, fix: 'replug the phone, or: adb kill-server && adb start-server' });
    return { checks };
  }

  checks.push({
    id: 'android',
    required: true,
    ok: facts.apiLevel >= MIN_API,
    detail: `Android ${facts.release || '?'} (API ${facts.apiLevel || '?'}), ${facts.abi || 'unknown ABI'}${facts.emulator ? ', emulator' : ''}, ${facts.manufacturer} ${facts.model}`.trim(),
    ...(facts.apiLevel >= MIN_API ? {} : { fix: `consentry needs API ${MIN_API} (Android 7) or newer` }),
  });

  const profile = input.profileFor(facts);
  checks.push(
    profile
      ? { id: 'profile', required: true, ok: true, detail: `matches profile "${profile.id}"` }
      : { id: 'profile', required: true, ok: false, detail: 'no device profile matches this phone', fix: 'add a profile under devices.profilesDir (see product/builtin/device-profiles)' },
  );

  const su = (await shell('command -v su')).trim();
  const rooted = facts.root !== 'none';
  const needsRoot = profile !== undefined && profile.root !== 'none';
  checks.push({
    id: 'root',
    required: needsRoot,
    ok: !needsRoot || rooted,
    detail: facts.root === 'adbd' ? 'adbd runs as root' : facts.root === 'su' ? `root through su (${su.startsWith('/') ? su : 'su'})` : 'not rooted',
    ...(needsRoot && !rooted ? { fix: `the profile "${profile.id}" expects root: use a userdebug/emulator image (adb root) or a rooted phone, or a profile for non-rooted handsets` } : {}),
  });

  const selinux = (await shell('getenforce')).trim();
  checks.push({ id: 'selinux', required: false, ok: /^(Enforcing|Permissive)$/.test(selinux), detail: /^(Enforcing|Permissive)$/.test(selinux) ? `SELinux ${selinux}` : 'SELinux mode unknown' });

  if (profile) {
    checks.push(await fridaCheck(profile, shell, input.fridaBindingVersion));
    checks.push(await caCheck(profile, facts, shell, input.ca));
  }

  const proxy = (await shell('settings get global http_proxy')).trim();
  const proxyClear = proxy === '' || proxy === 'null' || proxy === ':0';
  checks.push({
    id: 'proxy',
    required: true,
    ok: proxyClear,
    detail: proxyClear ? 'no global HTTP proxy left set' : `global HTTP proxy is set to ${proxy} (left by a run that did not finish?)`,
    ...(proxyClear ? {} : { fix: 'adb shell settings put global http_proxy :0 (or consentry devices --reset SERIAL)' }),
  });

  const uia2 = await shell(`pm list packages ${UIA2_SERVER}`);
  checks.push({
    id: 'uiautomator2',
    required: false,
    ok: uia2.includes(`package:${UIA2_SERVER}`),
    detail: uia2.includes(`package:${UIA2_SERVER}`) ? 'UiAutomator2 server installed' : 'UiAutomator2 server not installed yet (Appium installs it on the first session)',
  });

  if (profile) {
    for (const h of judgeHealth(facts, profile)) {
      if (h.id === 'shell' || h.id === 'profile') continue;
      checks.push({ id: h.id, required: true, ok: h.ok, detail: h.detail });
    }
  }

  const window = await shell('dumpsys window');
  const locked = /mShowingLockscreen=true|mDreamingLockscreen=true|isKeyguardShowing=true/.test(window);
  checks.push({
    id: 'screen-lock',
    required: true,
    ok: !locked,
    detail: locked ? 'the lock screen is showing' : 'not locked',
    ...(locked ? { fix: 'unlock the phone and set Screen lock to None; keep the screen on while charging (Developer options: Stay awake)' } : {}),
  });
  return { checks, facts };
}

async function fridaCheck(profile: DeviceProfile, shell: (cmd: string) => Promise<string>, bindingVersion: string | undefined): Promise<DeviceCheck> {
  const frida = profile.frida;
  if (frida.module === 'none') return { id: 'frida', required: false, ok: false, detail: `the profile "${profile.id}" runs without instrumentation: no hook evidence`, fix: 'set frida.module: frida in the profile and push frida-server' };
  if (frida.module === 'consentry-virtual') return { id: 'frida', required: true, ok: true, detail: "the virtual device's built-in Frida service" };
  const path = frida.serverPath;
  const listing = await shell(`ls -l ${path}`);
  if (!listing.includes(path) || /No such file/.test(listing)) {
    return { id: 'frida', required: true, ok: false, detail: `frida-server not found at ${path}`, fix: `push the frida-server for this ABI: adb push frida-server ${path} && adb shell chmod 755 ${path}` };
  }
  const version = (await shell(`${path} --version`)).trim();
  const running = (await shell('pidof frida-server')).trim();
  const serverMajor = /^(\d+)\./.exec(version)?.[1];
  const bindingMajor = bindingVersion ? /^(\d+)\./.exec(bindingVersion)?.[1] : undefined;
  const mismatch = serverMajor !== undefined && bindingMajor !== undefined && serverMajor !== bindingMajor;
  return {
    id: 'frida',
    required: true,
    ok: !mismatch,
    detail: `frida-server ${version || '?'} at ${path}, ${running ? `running (pid ${running.split(/\s+/)[0]})` : 'not running (a run starts it)'}${bindingVersion ? `; frida binding ${bindingVersion}` : '; the frida binding is not installed on this host'}`,
    ...(mismatch ? { fix: `frida-server ${version} and the frida binding ${bindingVersion} differ in major version: push the matching frida-server` } : {}),
  };
}

async function caCheck(profile: DeviceProfile, facts: DeviceFacts, shell: (cmd: string) => Promise<string>, ca: DeviceDoctorInput['ca']): Promise<DeviceCheck> {
  const method = resolveCaMethod(profile, facts);
  const store = method === 'apex-conscrypt' ? APEX_CACERTS : method === 'user-prompt' || method === 'user-added' ? USER_CACERTS : SYSTEM_CACERTS;
  const route = `${method}${facts.apiLevel >= 34 && method !== 'apex-conscrypt' && method !== 'user-prompt' ? ' (Android 14+ reads system CAs from the conscrypt APEX: this route may not be trusted)' : ''}`;
  if (method === 'none') return { id: 'capture-ca', required: false, ok: false, detail: 'the profile installs no capture CA: HTTPS will not be decrypted' };
  if (method === 'user-prompt') {
    return { id: 'capture-ca', required: false, ok: false, detail: `not rooted: the CA can only go to the user store (${route}), which apps targeting API 24+ ignore unless they opt in`, fix: 'use a rooted phone or an emulator image for HTTPS evidence' };
  }
  if (!ca) return { id: 'capture-ca', required: true, ok: true, detail: `a run installs the capture CA by ${route}` };
  const present = await shell(`cat ${store}/${ca.fileName}`);
  const trusted = samePem(present, ca.pem);
  return { id: 'capture-ca', required: true, ok: true, detail: trusted ? `the capture CA is already trusted in ${store}` : `a run installs the capture CA by ${route} into ${store}` };
}

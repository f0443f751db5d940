import { basename } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { assertPackageName, shellQuote } from '../../core/untrusted.js';
import type { AdbDevice } from './adb-device.js';
import type { CaCertificate } from './ca-cert.js';
import { OK_MARKER, planCaInstall, resolveCaMethod, samePem, type ResolvedCaMethod } from './ca-install.js';
import { DeviceCommandError, DeviceError } from './errors.js';
import { measureClock, type DeviceFacts } from './facts.js';
import { DeviceJournal, type JournalEntry, type UndoStep } from './journal.js';
import type { DeviceProfile } from './profile-schema.js';

/** What the preparer needs of a lease (a DeviceLease fits). */
export interface PreparationTarget {
  serial: string;
  device: AdbDevice;
  profile: DeviceProfile;
  facts: DeviceFacts;
}

export interface ProxySetup {
  method: DeviceProfile['proxy']['method'];
  /** What the phone's global proxy points at (host:port), when set. */
  proxy?: string;
}

export interface CaSetup {
  method: ResolvedCaMethod;
  /** true: read back from the store; false: could not be checked (manual step or no root). */
  verified: boolean;
  notes: string[];
}

export interface TeardownReport {
  undone: number;
  failed: JournalEntry[];
}

/**
 * Prepares a leased device for one app and resets it afterwards. Every change goes into the
 * journal with its undo steps; teardown() undoes them newest first and keeps what it could not
 * undo in the journal, so the bundle says what state the phone was left in.
 */
export class DevicePreparer {
  readonly journal: DeviceJournal;
  private readonly logger: Logger;
  private rootReady = false;

  constructor(
    private readonly target: PreparationTarget,
    logger: Logger = silentLogger(),
  ) {
    this.journal = new DeviceJournal(target.serial);
    this.logger = logger.child({ serial: target.serial, component: 'preparer' });
  }

  private get device(): AdbDevice {
    return this.target.device;
  }

  private get profile(): DeviceProfile {
    return this.target.profile;
  }

  /** Runs a command as root the way the profile says (su -c, or adbd restarted as root). */
  private async rootShell(command: string, timeoutMs = 30_000): Promise<string> {
    const method = this.profile.root !== 'none' ? this.profile.root : this.target.facts.root;
    if (method === 'su') return this.device.shell(`su -c ${shellQuote(command)}`, { timeoutMs });
    if (method === 'adbd' && !this.rootReady && this.target.facts.root !== 'adbd') {
      await this.device.root();
      this.journal.record('adb-root', 'adbd restarted as root (stays until the device reboots or "adb unroot")');
    }
    this.rootReady = true;
    return this.device.shell(command, { timeoutMs });
  }

  private async runChecked(command: string, asRoot: boolean, what: string): Promise<string> {
    const out = asRoot ? await this.rootShell(command) : await this.device.shell(command);
    if (!out.includes(OK_MARKER)) throw new DeviceCommandError(this.target.serial, what, out.trim().slice(-300) || 'no output');
    return out;
  }

  async setProxy(hostPort: number): Promise<ProxySetup> {
    const method = this.profile.proxy.method;
    if (method === 'none') {
      this.journal.record('proxy', 'profile says none: traffic is not captured');
      return { method };
    }
    const previous = (await this.device.shell('settings get global http_proxy')).trim();
    const restore: UndoStep[] =
      previous && previous !== 'null' && previous !== ':0'
        ? [{ kind: 'shell', command: `settings put global http_proxy ${shellQuote(previous)}`, asRoot: false }]
        : // ":0" first: on several releases "settings delete" alone only takes effect after a reboot.
          [
            { kind: 'shell', command: 'settings put global http_proxy :0', asRoot: false },
            { kind: 'shell', command: 'settings delete global http_proxy', asRoot: false },
          ];
    let proxy: string;
    const undo: UndoStep[] = [...restore];
    if (method === 'adb-reverse') {
      const devicePort = this.profile.proxy.devicePort ?? hostPort;
      await this.device.reverse(`tcp:${devicePort}`, `tcp:${hostPort}`);
      undo.push({ kind: 'remove-reverse', remote: `tcp:${devicePort}` });
      proxy = `127.0.0.1:${devicePort}`;
    } else {
      const host = this.profile.proxy.host;
      if (!host) throw new DeviceError('PROFILE_INCOMPLETE', `profile ${this.profile.id}: proxy.method wifi needs proxy.host`, { serial: this.target.serial });
      proxy = `${host}:${hostPort}`;
    }
    await this.device.shell(`settings put global http_proxy ${shellQuote(proxy)}`);
    const now = (await this.device.shell('settings get global http_proxy')).trim();
    if (now !== proxy) {
      this.journal.record('proxy', `global proxy did not stick (reads "${now}")`, undo, 'done');
      throw new DeviceCommandError(this.target.serial, 'settings put global http_proxy', `reads back "${now}", expected "${proxy}"`);
    }
    this.journal.record('proxy', `global http_proxy ${proxy}${method === 'adb-reverse' ? ` via adb reverse to host port ${hostPort}` : ''} (was ${previous || 'unset'})`, undo);
    return { method, proxy };
  }

  /** Clears the proxy now (also done by teardown when setProxy was used). */
  async clearProxy(devicePort?: number): Promise<void> {
    await this.device.shell('settings put global http_proxy :0');
    await this.device.shell('settings delete global http_proxy');
    if (devicePort !== undefined) await this.device.removeReverse(`tcp:${devicePort}`).catch(() => undefined);
    this.journal.record('proxy-clear', 'global http_proxy cleared');
  }

  async installCa(ca: CaCertificate): Promise<CaSetup> {
    const method = resolveCaMethod(this.profile, this.target.facts);
    const plan = planCaInstall(method, ca);
    if (method === 'none') {
      this.journal.record('ca', plan.notes.join('; '));
      return { method, verified: false, notes: plan.notes };
    }
    const undoRoot = method !== 'user-prompt';
    const undo: UndoStep[] = [{ kind: 'shell', command: plan.undoScript, asRoot: undoRoot && method !== 'system-file' }];
    try {
      await this.device.push(Buffer.from(ca.pem), plan.stagedPath);
      if (method === 'user-prompt') {
        this.journal.record('ca', `pushed ${plan.stagedPath}; ${plan.notes.join('; ')}`, undo, 'done');
        this.journal.record('ca-manual', plan.notes[0] ?? '', [], 'manual');
        return { method, verified: false, notes: plan.notes };
      }
      if (plan.script) await this.runChecked(plan.script, true, `install CA (${method})`);
      const readBack = method === 'system-file' ? await this.device.shell(`cat ${plan.verifyPath}`) : await this.rootShell(`cat ${plan.verifyPath}`);
      const verified = samePem(readBack, ca.pem);
      this.journal.record('ca', `capture CA ${ca.fileName} (${method})${verified ? '' : ': NOT found on read-back'}`, undo);
      if (!verified) throw new DeviceCommandError(this.target.serial, `verify CA ${plan.verifyPath}`, 'the certificate read back differs or is missing');
      return { method, verified, notes: plan.notes };
    } catch (e) {
      if (!this.journal.entries().some((x) => x.action === 'ca')) this.journal.failed('ca', `install CA (${method})`, errorMessage(e));
      throw e;
    }
  }

  /** Pushes (if the profile names a host binary) and starts frida-server; a no-op for other modules. */
  async startInstrumentationServer(): Promise<{ module: DeviceProfile['frida']['module']; port?: number }> {
    const f = this.profile.frida;
    if (f.module !== 'frida') {
      this.journal.record('frida', f.module === 'none' ? 'instrumentation off for this profile' : `${f.module}: built into the device, nothing to start`);
      return { module: f.module, ...(f.module === 'consentry-virtual' ? { port: f.port } : {}) };
    }
    const name = basename(f.serverPath);
    if (f.hostBinary) {
      await this.device.push({ path: f.hostBinary }, f.serverPath, 0o755);
      this.journal.record('frida-push', `pushed ${f.hostBinary} to ${f.serverPath}`, [{ kind: 'shell', command: `rm -f ${f.serverPath}`, asRoot: true }]);
    }
    const running = (await this.rootShell(`pidof ${name}`)).trim();
    if (!running) {
      const start = f.startCommand.replaceAll('{path}', f.serverPath).replaceAll('{port}', String(f.port));
      // Detached with its output discarded, so the adb shell session returns at once.
      await this.rootShell(`${start} </dev/null >/dev/null 2>&1 &`, 15_000);
      let pid = '';
      for (let i = 0; i < 20 && !pid; i += 1) {
        pid = (await this.rootShell(`pidof ${name}`)).trim();
        if (!pid) await new Promise((r) => setTimeout(r, 250));
      }
      if (!pid) throw new DeviceCommandError(this.target.serial, start, `${name} did not start (is it at ${f.serverPath}, executable, for ${this.target.facts.abi}?)`);
      this.journal.record('frida', `started ${name} (pid ${pid}) on port ${f.port}`, [{ kind: 'shell', command: `kill ${pid}`, asRoot: true }]);
    } else {
      this.journal.record('frida', `${name} already running (pid ${running}); left running`);
    }
    return { module: 'frida', port: f.port };
  }

  async uninstall(packageName: string): Promise<void> {
    const pkg = assertPackageName(packageName);
    const out = (await this.device.shell(`pm uninstall ${pkg}`)).trim();
    this.journal.record('uninstall', `${pkg}: ${out.includes('Success') ? 'removed' : 'was not installed'}`);
  }

  async clearData(packageName: string): Promise<void> {
    const pkg = assertPackageName(packageName);
    const out = (await this.device.shell(`pm clear ${pkg}`)).trim();
    this.journal.record('clear-data', `${pkg}: ${out || 'no output'}`);
  }

  /** Revokes every granted runtime permission of the app and clears the "don't ask again" flags. */
  async resetPermissions(packageName: string): Promise<string[]> {
    const pkg = assertPackageName(packageName);
    const dump = await this.device.shell(`dumpsys package ${pkg}`);
    const granted = grantedRuntimePermissions(dump);
    for (const perm of granted) {
      await this.device.shell(`pm revoke ${pkg} ${shellQuote(perm)}`);
      // Older releases lack clear-permission-flags; the revoke is what matters.
      await this.device.shell(`pm clear-permission-flags ${pkg} ${shellQuote(perm)} user-set user-fixed`).catch(() => '');
    }
    this.journal.record('reset-permissions', `${pkg}: revoked ${granted.length ? granted.join(', ') : 'nothing (none granted)'}`);
    return granted;
  }

  /** Applies the profile's reset policy before (or after) an app. */
  async resetApp(packageName: string): Promise<void> {
    switch (this.profile.reset) {
      case 'uninstall':
        await this.uninstall(packageName);
        break;
      case 'clear':
        await this.clearData(packageName);
        await this.resetPermissions(packageName);
        break;
      case 'none':
        this.journal.record('reset', `${packageName}: profile reset policy is none`);
    }
  }

  /**
   * Brings the device clock close to the host's: `date @EPOCH` as root, or network time
   * (settings auto_time) without root. Returns the offset measured afterwards.
   */
  async syncClock(maxSkewMs = 1000): Promise<number | undefined> {
    const before = await measureClock(this.device);
    if (!before) {
      this.journal.record('clock', 'device clock could not be read');
      return undefined;
    }
    if (!this.profile.clock.sync || Math.abs(before.offsetMs) <= maxSkewMs) {
      this.journal.record('clock', `offset ${before.offsetMs} ms (left as is)`);
      return before.offsetMs;
    }
    const rooted = this.profile.root !== 'none' || this.target.facts.root !== 'none';
    if (rooted) {
      await this.rootShell(`date @${Math.round(Date.now() / 1000)}`);
    } else {
      const previous = (await this.device.shell('settings get global auto_time')).trim();
      await this.device.shell('settings put global auto_time 1');
      const undo: UndoStep[] = previous === '0' ? [{ kind: 'shell', command: 'settings put global auto_time 0', asRoot: false }] : [];
      this.journal.record('clock-auto', `automatic time on (was ${previous || 'unset'})`, undo);
    }
    const after = await measureClock(this.device);
    this.journal.record('clock', `offset ${before.offsetMs} ms → ${after?.offsetMs ?? '?'} ms${rooted ? ' (set with date as root)' : ''}`);
    return after?.offsetMs ?? before.offsetMs;
  }

  /** Undoes the journal newest first. Never throws: failures stay in the journal and the report. */
  async teardown(): Promise<TeardownReport> {
    let undone = 0;
    const failed: JournalEntry[] = [];
    for (const entry of this.journal.pendingUndo()) {
      try {
        for (const step of entry.undo) {
          if (step.kind === 'remove-reverse') await this.device.removeReverse(step.remote);
          else if (step.asRoot) await this.rootShell(step.command);
          else await this.device.shell(step.command);
        }
        entry.status = 'undone';
        undone += 1;
      } catch (e) {
        entry.status = 'undo-failed';
        entry.error = errorMessage(e);
        failed.push(entry);
        this.logger.warn({ action: entry.action, err: entry.error }, 'could not undo');
      }
    }
    return { undone, failed };
  }
}

/**
 * Granted runtime permissions from `dumpsys package`: the "runtime permissions:" block lists
 * "android.permission.X: granted=true, flags=[...]" per user.
 */
export function grantedRuntimePermissions(dump: string): string[] {
  const granted = new Set<string>();
  let inRuntime = false;
  for (const line of dump.split(/\r?\n/)) {
    if (/^\s*runtime permissions:/i.test(line)) {
      inRuntime = true;
      continue;
    }
    if (inRuntime && /^\s*[A-Za-z][\w\s]*:\s*$/.test(line) && !/granted=/.test(line)) {
      inRuntime = false;
      continue;
    }
    const m = /^\s*([\w.]+):\s*granted=true/.exec(line);
    if (inRuntime && m) granted.add(m[1]!);
  }
  return [...granted];
}

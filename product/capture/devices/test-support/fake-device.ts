import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AdbDevice } from '../adb-device.js';
import { DeviceCommandError } from '../errors.js';
import { trackedDevice, type DeviceProvider, type DeviceProviderEvents, type TrackedDevice } from '../device-provider.js';

/**
 * Test doubles of the device port, shipped with the code so that the farm's and the pipeline's
 * tests can lease devices without adb. Each test builds its own; nothing is shared.
 */
export interface FakeHandsetSpec {
  serial: string;
  props?: Record<string, string>;
  uid?: number;
  su?: boolean;
  freeKb?: number;
  batteryLevel?: number;
  batteryTempTenths?: number;
  thermalStatus?: number;
  /** device time - host time, ms. */
  clockSkewMs?: number;
  /** Shell never answers (to exercise timeouts and health failures). */
  hung?: boolean;
}

export class FakeHandset implements AdbDevice {
  readonly serial: string;
  readonly commands: string[] = [];
  readonly pushed = new Map<string, Buffer>();
  readonly reverses = new Map<string, string>();
  readonly forwards = new Map<number, string>();
  /** Extra responders tried before the built-in ones; return undefined to fall through. */
  readonly responders: ((command: string) => string | undefined)[] = [];

  constructor(public spec: FakeHandsetSpec) {
    this.serial = spec.serial;
  }

  async shell(command: string, options: { timeoutMs?: number } = {}): Promise<string> {
    this.commands.push(command);
    if (this.spec.hung) {
      await new Promise((r) => setTimeout(r, options.timeoutMs ?? 30_000));
      throw new DeviceCommandError(this.serial, command, 'no answer');
    }
    for (const responder of this.responders) {
      const out = responder(command);
      if (out !== undefined) return out;
    }
    return this.builtIn(command);
  }

  async push(source: { path: string } | Buffer, remotePath: string): Promise<void> {
    this.pushed.set(remotePath, Buffer.isBuffer(source) ? source : readFileSync(source.path));
  }

  async reverse(remote: string, local: string): Promise<void> {
    this.reverses.set(remote, local);
  }

  async removeReverse(remote: string): Promise<void> {
    this.reverses.delete(remote);
  }

  async forwardFromFreePort(remote: string): Promise<number> {
    const port = 40_000 + this.forwards.size;
    this.forwards.set(port, remote);
    return port;
  }

  async removeForward(hostPort: number): Promise<void> {
    this.forwards.delete(hostPort);
  }

  async root(): Promise<void> {
    this.spec.uid = 0;
  }

  private builtIn(command: string): string {
    const s = this.spec;
    if (command === 'getprop') {
      const props: Record<string, string> = {
        'ro.product.model': 'Pixel 7',
        'ro.product.manufacturer': 'Google',
        'ro.product.name': 'panther',
        'ro.product.device': 'panther',
        'ro.build.version.sdk': '34',
        'ro.build.version.release': '14',
        'ro.product.cpu.abilist': 'arm64-v8a',
        'ro.build.fingerprint': 'google/panther/panther:14/UQ1A/1:user/release-keys',
        'sys.boot_completed': '1',
        ...s.props,
      };
      return Object.entries(props)
        .map(([k, v]) => `[${k}]: [${v}]`)
        .join('\n');
    }
    if (command === 'id') return `uid=${s.uid ?? 2000}(shell) gid=2000(shell)`;
    if (command === 'su -c id') return s.su ? 'uid=0(root) gid=0(root)' : '/system/bin/sh: su: inaccessible or not found';
    if (command === 'df -k /data') {
      const free = s.freeKb ?? 8_000_000;
      return `Filesystem 1K-blocks Used Available Use% Mounted on\n/dev/block/dm-5 50000000 1000 ${free} 1% /data`;
    }
    if (command === 'dumpsys battery') {
      return `Current Battery Service state:\n  AC powered: false\n  USB powered: false\n  level: ${s.batteryLevel ?? 90}\n  scale: 100\n  temperature: ${s.batteryTempTenths ?? 300}`;
    }
    if (command === 'dumpsys thermalservice') return s.thermalStatus === undefined ? "Can't find service: thermalservice" : `Thermal Status: ${s.thermalStatus}`;
    if (command === 'date +%s%N') return `${Date.now() + (s.clockSkewMs ?? 0)}000000\n`;
    return '';
  }
}

/** A provider whose devices the test adds, changes and removes by hand. */
export class FakeDeviceProvider extends EventEmitter<DeviceProviderEvents> implements DeviceProvider {
  readonly handsets = new Map<string, FakeHandset>();
  private readonly tracked = new Map<string, TrackedDevice>();

  add(handset: FakeHandset, state = 'device'): void {
    this.handsets.set(handset.serial, handset);
    this.setState(handset.serial, state);
  }

  setState(serial: string, state: string): void {
    const d = trackedDevice(serial, state);
    this.tracked.set(serial, d);
    this.emit('update', d);
  }

  remove(serial: string): void {
    this.tracked.delete(serial);
    this.emit('remove', serial);
  }

  async start(): Promise<TrackedDevice[]> {
    return this.list();
  }

  list(): TrackedDevice[] {
    return [...this.tracked.values()];
  }

  device(serial: string): AdbDevice {
    const h = this.handsets.get(serial);
    if (!h) throw new DeviceCommandError(serial, 'transport', 'device not found');
    return h;
  }

  async stop(): Promise<void> {}
}

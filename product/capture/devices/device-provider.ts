import { EventEmitter } from 'node:events';
import type { Client } from '@devicefarmer/adbkit';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { silentLogger } from '../../core/logger.js';
import { AdbKitDevice, createAdbClient, withTimeout, type AdbDevice, type AdbServerAddress } from './adb-device.js';
import { parseDeviceState, transportOf, type DeviceState, type TransportKind } from './device-state.js';

/** One line of `adb devices`, normalised. */
export interface TrackedDevice {
  readonly serial: string;
  readonly state: DeviceState;
  readonly detail?: string;
  readonly transport: TransportKind;
}

export interface DeviceProviderEvents {
  /** A device appeared or changed state. */
  update: [device: TrackedDevice];
  /** A device disappeared from adb (unplugged, emulator killed, TCP connection dropped). */
  remove: [serial: string];
}

/**
 * The port through which the pool sees devices. The adb adapter below is the only one in use:
 * the virtual device is reached through the real adb server like any phone.
 */
export interface DeviceProvider extends EventEmitter<DeviceProviderEvents> {
  /** Connects network devices, starts tracking and resolves with the first device list. */
  start(): Promise<TrackedDevice[]>;
  list(): TrackedDevice[];
  device(serial: string): AdbDevice;
  stop(): Promise<void>;
}

export function trackedDevice(serial: string, rawState: string): TrackedDevice {
  const info = parseDeviceState(rawState);
  return { serial, transport: transportOf(serial), ...info };
}

export interface AdbProviderOptions {
  server: AdbServerAddress;
  /** host:port of phones to `adb connect` (adb over Wi-Fi / TCP). */
  networkDevices?: string[];
  logger?: Logger;
  /** Delay between attempts to re-open tracking after the adb server went away. */
  retryMs?: number;
  /**
   * Interval of a `host:devices` poll that backs up tracking: adb (29.x) does not report a TCP
   * device that drops to "offline" while it tries to reconnect. Default 2 s; 0 turns it off.
   */
  pollMs?: number;
}

interface Tracker extends EventEmitter {
  end(): unknown;
}

export class AdbDeviceProvider extends EventEmitter<DeviceProviderEvents> implements DeviceProvider {
  private readonly client: Client;
  private readonly logger: Logger;
  private readonly devices = new Map<string, TrackedDevice>();
  private tracker: Tracker | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(private readonly options: AdbProviderOptions) {
    super();
    this.client = createAdbClient(options.server);
    this.logger = (options.logger ?? silentLogger()).child({ component: 'device-provider' });
  }

  async start(): Promise<TrackedDevice[]> {
    for (const address of this.options.networkDevices ?? []) await this.connectNetworkDevice(address);
    await this.openTracker();
    const pollMs = this.options.pollMs ?? 2_000;
    if (pollMs > 0) {
      this.pollTimer = setInterval(() => void this.reconcile(), pollMs);
      this.pollTimer.unref();
    }
    return this.list();
  }

  list(): TrackedDevice[] {
    return [...this.devices.values()];
  }

  device(serial: string): AdbDevice {
    return new AdbKitDevice(this.client, serial, this.options.server, this.logger);
  }

  /** `adb connect host:port`; a phone that does not answer is logged, not fatal. */
  async connectNetworkDevice(address: string): Promise<string | undefined> {
    try {
      const serial = await withTimeout<string>(this.client.connect(address), 10_000, () => new Error('no answer within 10 s'));
      this.logger.info({ address }, 'connected network device');
      return serial;
    } catch (e) {
      this.logger.warn({ address, err: errorMessage(e) }, 'adb connect failed');
      return undefined;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pollTimer);
    this.tracker?.end();
    this.tracker = undefined;
  }

  private async openTracker(): Promise<void> {
    const tracker = (await withTimeout(this.client.trackDevices(), 15_000, () => new Error('adb server did not answer'))) as Tracker;
    this.tracker = tracker;
    const seen = (d: { id: string; type: string }) => this.apply(trackedDevice(d.id, d.type));
    tracker.on('add', seen);
    tracker.on('change', seen);
    tracker.on('remove', (d: { id: string }) => this.drop(d.id));
    tracker.on('error', (e: unknown) => this.logger.warn({ err: errorMessage(e) }, 'device tracking failed'));
    tracker.once('end', () => this.onTrackerEnd(tracker));
    // The tracker's first report is not emitted when adb lists no device; ask once directly so
    // start() resolves with the current list at once. Its own first report then repeats it.
    const initial = await withTimeout<{ id: string; type: string }[]>(this.client.listDevices(), 15_000, () => new Error('adb server did not answer'));
    for (const d of initial) if (!this.devices.has(d.id)) seen(d);
  }

  /** Brings the list in line with `adb devices` (only while tracking is up). */
  private async reconcile(): Promise<void> {
    if (this.polling || this.stopped || !this.tracker) return;
    this.polling = true;
    try {
      const listed = await withTimeout<{ id: string; type: string }[]>(this.client.listDevices(), 5_000, () => new Error('adb server did not answer'));
      if (this.stopped || !this.tracker) return;
      const seen = new Set<string>();
      for (const d of listed) {
        seen.add(d.id);
        const next = trackedDevice(d.id, d.type);
        const known = this.devices.get(d.id);
        if (!known || known.state !== next.state || known.detail !== next.detail) this.apply(next);
      }
      for (const serial of [...this.devices.keys()]) if (!seen.has(serial)) this.drop(serial);
    } catch (e) {
      this.logger.debug({ err: errorMessage(e) }, 'device poll failed');
    } finally {
      this.polling = false;
    }
  }

  private apply(device: TrackedDevice): void {
    this.devices.set(device.serial, device);
    this.logger.debug({ serial: device.serial, state: device.state }, 'device');
    this.emit('update', device);
  }

  private drop(serial: string): void {
    if (!this.devices.delete(serial)) return;
    this.logger.info({ serial }, 'device removed');
    this.emit('remove', serial);
  }

  /** The adb server went away (killed, restarted): every device is gone until tracking resumes. */
  private onTrackerEnd(tracker: Tracker): void {
    if (this.tracker !== tracker) return;
    this.tracker = undefined;
    for (const serial of [...this.devices.keys()]) this.drop(serial);
    if (this.stopped) return;
    this.logger.warn('lost the adb server; retrying device tracking');
    const retry = () => {
      if (this.stopped) return;
      this.openTracker().catch((e: unknown) => {
        this.logger.debug({ err: errorMessage(e) }, 'adb server still unreachable');
        this.retryTimer = setTimeout(retry, this.options.retryMs ?? 2_000);
        this.retryTimer.unref();
      });
    };
    this.retryTimer = setTimeout(retry, this.options.retryMs ?? 2_000);
    this.retryTimer.unref();
  }
}

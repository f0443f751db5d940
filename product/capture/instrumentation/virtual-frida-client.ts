import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { ConsentryError } from '../../core/errors.js';
import type {
  FridaApi,
  FridaChild,
  FridaCrash,
  FridaDevice,
  FridaMessage,
  FridaScript,
  FridaSession,
  FridaSignal,
  FridaSpawn,
} from './frida-api.js';
import { HelloResult, LineReader, SpawnList, WireEvent, WireResponse } from '../../contracts/virtual-frida-wire.js';

/**
 * The `frida` module API (the subset in ../frida-api.ts) for the virtual device: the same
 * DeviceManager → Device → Session → Script objects, spoken over the virtual device's JSON-lines
 * service (wire.ts) instead of frida's D-Bus protocol. Chosen by the device profile; the adapter
 * does not know which one it has.
 */

class Signal<H extends (...args: never[]) => void> implements FridaSignal<H> {
  private readonly handlers = new Set<H>();
  connect(handler: H): void {
    this.handlers.add(handler);
  }
  disconnect(handler: H): void {
    this.handlers.delete(handler);
  }
  emit(...args: Parameters<H>): void {
    for (const h of [...this.handlers]) h(...args);
  }
}

export class VirtualFridaError extends ConsentryError {
  constructor(message: string, cause?: unknown) {
    super('VIRTUAL_FRIDA', message, { cause, retryable: true });
  }
}

class Channel {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly onEvent: (e: WireEvent) => void,
    private readonly onClose: () => void,
    private readonly timeoutMs: number,
  ) {
    const reader = new LineReader((line) => this.line(line));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
    socket.on('close', () => this.close(new VirtualFridaError('connection to the device frida service closed')));
    socket.on('error', () => undefined);
  }

  request(op: string, params: Record<string, unknown> = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new VirtualFridaError('connection to the device frida service is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new VirtualFridaError(`frida service did not answer ${op} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.write(`${JSON.stringify({ id, op, ...params })}\n`);
    });
  }

  close(error: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(error);
    }
    this.pending.clear();
    this.socket.destroy();
    this.onClose();
  }

  private line(line: string): void {
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      return;
    }
    if (data !== null && typeof data === 'object' && 'event' in data) {
      const parsed = WireEvent.safeParse(data);
      if (parsed.success) this.onEvent(parsed.data);
      return;
    }
    const res = WireResponse.safeParse(data);
    if (!res.success) return;
    const p = this.pending.get(res.data.id);
    if (!p) return;
    this.pending.delete(res.data.id);
    clearTimeout(p.timer);
    if (res.data.ok) p.resolve(res.data.result);
    else p.reject(new VirtualFridaError(res.data.error));
  }
}

class VirtualScript implements FridaScript {
  readonly message = new Signal<(message: FridaMessage, data: Buffer | null) => void>();
  readonly destroyed = new Signal<() => void>();
  private gone = false;

  constructor(
    private readonly channel: Channel,
    readonly handle: number,
  ) {}

  get isDestroyed(): boolean {
    return this.gone;
  }

  async load(): Promise<void> {
    await this.channel.request('load-script', { script: this.handle });
  }

  async unload(): Promise<void> {
    if (this.gone) return;
    await this.channel.request('unload-script', { script: this.handle });
  }

  post(message: unknown): void {
    // Fire and forget, as frida's Script.post.
    this.channel.request('post', { script: this.handle, message }).catch(() => undefined);
  }

  markDestroyed(): void {
    if (this.gone) return;
    this.gone = true;
    this.destroyed.emit();
  }
}

class VirtualSession implements FridaSession {
  readonly detached = new Signal<(reason: string, crash: FridaCrash | null) => void>();
  readonly scripts = new Set<VirtualScript>();
  private gone = false;

  constructor(
    private readonly device: VirtualDevice,
    private readonly channel: Channel,
    readonly handle: number,
    readonly pid: number,
  ) {}

  isDetached(): boolean {
    return this.gone;
  }

  async detach(): Promise<void> {
    if (this.gone) return;
    await this.channel.request('detach', { session: this.handle });
  }

  async createScript(source: string, options: { name?: string } = {}): Promise<FridaScript> {
    const { script } = (await this.channel.request('create-script', { session: this.handle, source, ...options })) as { script: number };
    const s = new VirtualScript(this.channel, script);
    this.scripts.add(s);
    this.device.scripts.set(script, s);
    return s;
  }

  markDetached(reason: string, crash: FridaCrash | null): void {
    if (this.gone) return;
    this.gone = true;
    for (const s of this.scripts) s.markDestroyed();
    this.detached.emit(reason, crash);
  }
}

class VirtualDevice implements FridaDevice {
  readonly spawnAdded = new Signal<(spawn: FridaSpawn) => void>();
  readonly childAdded = new Signal<(child: FridaChild) => void>();
  readonly processCrashed = new Signal<(crash: FridaCrash) => void>();
  readonly lost = new Signal<() => void>();
  readonly sessions = new Map<number, VirtualSession>();
  readonly scripts = new Map<number, VirtualScript>();
  readonly channel: Channel;
  id = '';
  name = '';

  constructor(socket: Duplex, timeoutMs: number) {
    this.channel = new Channel(socket, (e) => this.event(e), () => this.disconnected(), timeoutMs);
  }

  async handshake(): Promise<void> {
    const hello = HelloResult.parse(await this.channel.request('hello'));
    this.id = hello.id;
    this.name = hello.name;
  }

  async enableSpawnGating(): Promise<void> {
    await this.channel.request('enable-spawn-gating');
  }
  async disableSpawnGating(): Promise<void> {
    await this.channel.request('disable-spawn-gating');
  }
  async enumeratePendingSpawn(): Promise<FridaSpawn[]> {
    return SpawnList.parse(await this.channel.request('enumerate-pending-spawn'));
  }
  async spawn(program: string | string[]): Promise<number> {
    const identifier = Array.isArray(program) ? program[0] : program;
    if (!identifier) throw new VirtualFridaError('spawn needs a program');
    return Number(await this.channel.request('spawn', { program: identifier }));
  }
  async resume(pid: number): Promise<void> {
    await this.channel.request('resume', { pid });
  }
  async kill(pid: number): Promise<void> {
    await this.channel.request('kill', { pid });
  }
  async attach(pid: number): Promise<FridaSession> {
    const { session } = (await this.channel.request('attach', { pid })) as { session: number };
    const s = new VirtualSession(this, this.channel, session, pid);
    this.sessions.set(session, s);
    return s;
  }

  close(): void {
    this.channel.close(new VirtualFridaError('device closed'));
  }

  private event(e: WireEvent): void {
    switch (e.event) {
      case 'spawn-added':
        this.spawnAdded.emit({ pid: e.pid, identifier: e.identifier });
        break;
      case 'child-added':
        this.childAdded.emit({ pid: e.pid, parentPid: e.parentPid, identifier: e.identifier });
        break;
      case 'process-crashed':
        this.processCrashed.emit(e.crash);
        break;
      case 'detached': {
        const s = this.sessions.get(e.session);
        this.sessions.delete(e.session);
        s?.markDetached(e.reason, e.crash);
        break;
      }
      case 'message': {
        const m = e.message;
        this.scripts.get(e.script)?.message.emit(
          {
            type: m.type,
            ...(m.payload !== undefined ? { payload: m.payload } : {}),
            ...(m.description !== undefined ? { description: m.description } : {}),
            ...(m.stack !== undefined ? { stack: m.stack } : {}),
          },
          null,
        );
        break;
      }
      case 'script-destroyed': {
        const s = this.scripts.get(e.script);
        this.scripts.delete(e.script);
        s?.markDestroyed();
        break;
      }
    }
  }

  private disconnected(): void {
    for (const s of this.sessions.values()) s.markDetached('connection-terminated', null);
    this.sessions.clear();
    this.lost.emit();
  }
}

export interface VirtualFridaOptions {
  /** How to reach a "host:port" address; defaults to TCP. */
  connect?: (host: string, port: number) => Duplex;
  requestTimeoutMs?: number;
}

/** A FridaApi for virtual devices. Devices are reached as remote devices ("127.0.0.1:<forwarded port>"). */
export function createVirtualFrida(options: VirtualFridaOptions = {}): FridaApi & { closeAll(): void } {
  const devices = new Set<VirtualDevice>();
  const open = options.connect ?? ((host: string, port: number) => connect({ host, port }));
  return {
    getUsbDevice: () =>
      Promise.reject(new VirtualFridaError('a virtual device has no USB: add it as a remote device at its forwarded frida port')),
    getDeviceManager: () => ({
      async addRemoteDevice(address: string): Promise<FridaDevice> {
        const m = /^(.*):(\d+)$/.exec(address);
        if (!m) throw new VirtualFridaError(`expected host:port, got "${address}"`);
        const socket = open(m[1]!, Number(m[2]));
        await new Promise<void>((resolve, reject) => {
          if (!('connecting' in socket) || !(socket as { connecting?: boolean }).connecting) return resolve();
          socket.once('connect', () => resolve());
          socket.once('error', (e) => reject(new VirtualFridaError(`cannot reach the device frida service at ${address}: ${e.message}`, e)));
        });
        const device = new VirtualDevice(socket, options.requestTimeoutMs ?? 30_000);
        devices.add(device);
        device.lost.connect(() => devices.delete(device));
        await device.handshake();
        return device;
      },
    }),
    closeAll() {
      for (const d of devices) d.close();
    },
  };
}

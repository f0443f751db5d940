import type { FridaModule } from './frida-loader.js';

/**
 * Exactly the part of the `frida` Node API the adapter uses. The real module satisfies it (checked
 * below at compile time against frida's own declarations), and so does the virtual device's
 * client (virtual-frida/), so the adapter code is the same for a phone and the virtual device.
 */

export interface FridaSignal<H extends (...args: never[]) => void> {
  connect(handler: H): void;
  disconnect(handler: H): void;
}

/** Frida's script message: `send()` payloads, or an uncaught error in the agent. */
export interface FridaMessage {
  type: string;
  payload?: unknown;
  description?: string;
  stack?: string;
}

export interface FridaCrash {
  pid: number;
  processName: string;
  summary: string;
  report: string;
}

export interface FridaScript {
  load(): Promise<void>;
  unload(): Promise<void>;
  post(message: unknown, data?: Buffer | null): void;
  readonly isDestroyed: boolean;
  readonly message: FridaSignal<(message: FridaMessage, data: Buffer | null) => void>;
  readonly destroyed: FridaSignal<() => void>;
}

export interface FridaSession {
  readonly pid: number;
  isDetached(): boolean;
  detach(): Promise<void>;
  createScript(source: string, options?: { name?: string }): Promise<FridaScript>;
  readonly detached: FridaSignal<(reason: string, crash: FridaCrash | null) => void>;
}

export interface FridaSpawn {
  pid: number;
  identifier: string;
}

export interface FridaChild {
  pid: number;
  parentPid: number;
  identifier: string | null;
}

export interface FridaDevice {
  readonly id: string;
  readonly name: string;
  enableSpawnGating(): Promise<void>;
  disableSpawnGating(): Promise<void>;
  enumeratePendingSpawn(): Promise<FridaSpawn[]>;
  spawn(program: string | string[]): Promise<number>;
  resume(target: number): Promise<void>;
  kill(target: number): Promise<void>;
  attach(target: number): Promise<FridaSession>;
  readonly spawnAdded: FridaSignal<(spawn: FridaSpawn) => void>;
  readonly childAdded: FridaSignal<(child: FridaChild) => void>;
  readonly processCrashed: FridaSignal<(crash: FridaCrash) => void>;
  readonly lost: FridaSignal<() => void>;
}

export interface FridaApi {
  getUsbDevice(options?: { timeout?: number | null }): Promise<FridaDevice>;
  getDeviceManager(): { addRemoteDevice(address: string): Promise<FridaDevice> };
}

// Compile-time proof that the real frida module (its own .d.ts) is a FridaApi.
type Assert<T extends true> = T;
export type RealFridaIsFridaApi = Assert<FridaModule extends FridaApi ? true : false>;

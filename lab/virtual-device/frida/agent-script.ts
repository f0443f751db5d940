import { createContext, Script as VmScript, type Context } from 'node:vm';
import type { VirtualJava } from './java-bridge.js';

/**
 * Runs a real agent bundle (tooling/agents/dist/*.js) the way Frida's GumJS runtime would, in a node:vm
 * context holding the slice of Frida's JavaScript API agents use: send/recv, rpc.exports,
 * timers, Process, Module export lookup, Interceptor.attach for libc functions, and `Java`.
 * Messages leave as Frida's script messages do: `{type:'send', payload}` or `{type:'error', ...}`.
 */

export type ScriptMessage =
  | { type: 'send'; payload: unknown }
  | { type: 'error'; description: string; stack?: string };

export interface NativeListener {
  onEnter?: (this: Record<string, unknown>, args: NativeArg[]) => void;
  onLeave?: (this: Record<string, unknown>, retval: NativeArg) => void;
}

/** The NativePointer methods agents call on open/openat arguments. */
export interface NativeArg {
  readUtf8String(): string | null;
  toInt32(): number;
  toString(): string;
}

export interface AgentScriptOptions {
  source: string;
  pid: number;
  java: VirtualJava;
  frida: string;
  onMessage(message: ScriptMessage): void;
  /** Interceptor.attach on a libc export: the runtime calls the listener on matching native calls. */
  onNativeAttach(functionName: string, listener: NativeListener): () => void;
}

const NATIVE_EXPORTS = new Set(['open', 'openat', 'fopen', 'read', 'connect']);

interface PendingRecv {
  type: string | undefined;
  callback: (message: unknown, data: null) => void;
}

export class AgentScript {
  private context: Context | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pendingRecv: PendingRecv[] = [];
  private readonly inbox: unknown[] = [];
  private readonly detachers: (() => void)[] = [];
  private exports: Record<string, unknown> = {};
  private destroyed = false;

  constructor(private readonly options: AgentScriptOptions) {}

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  load(): void {
    if (this.context) throw new Error('script already loaded');
    this.context = createContext(this.globals(), { name: `agent pid ${this.options.pid}` });
    this.guard(() => new VmScript(this.options.source, { filename: '/agent.js' }).runInContext(this.context!));
  }

  /** Host → agent message, delivered to the oldest matching recv(), or kept until one is made. */
  post(message: unknown): void {
    if (this.destroyed) return;
    this.inbox.push(JSON.parse(JSON.stringify(message)) as unknown);
    this.deliver();
  }

  unload(): void {
    if (this.destroyed) return;
    const dispose = this.exports.dispose;
    if (typeof dispose === 'function') this.guard(() => (dispose as () => void)());
    this.destroyed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const d of this.detachers.splice(0)) d();
  }

  private deliver(): void {
    for (let i = 0; i < this.inbox.length; ) {
      const message = this.inbox[i] as { type?: unknown };
      const idx = this.pendingRecv.findIndex((r) => r.type === undefined || r.type === message?.type);
      if (idx < 0) {
        i += 1;
        continue;
      }
      const [recv] = this.pendingRecv.splice(idx, 1);
      this.inbox.splice(i, 1);
      this.guard(() => recv!.callback(message, null));
    }
  }

  /** An exception escaping agent code becomes an `error` message, as in Frida. */
  private guard(fn: () => unknown): void {
    try {
      fn();
    } catch (error) {
      const e = error as { message?: unknown; stack?: unknown };
      this.options.onMessage({
        type: 'error',
        description: typeof e?.message === 'string' ? e.message : String(error),
        ...(typeof e?.stack === 'string' ? { stack: e.stack } : {}),
      });
    }
  }

  private globals(): Record<string, unknown> {
    const { pid, java, frida, onMessage } = this.options;
    // The globals are plain objects handed to the agent; they reach this script's state by name.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    const pointer = (value: number | string | null): NativeArg => ({
      readUtf8String: () => (typeof value === 'string' ? value : null),
      toInt32: () => (typeof value === 'number' ? value : 0),
      toString: () => String(value),
    });
    const findExport = (name: string) => (NATIVE_EXPORTS.has(name) ? { $export: name, ...pointer(0) } : null);
    return {
      Java: java,
      Frida: { version: frida },
      Process: { id: pid, arch: 'arm64', platform: 'linux', pointerSize: 8, getCurrentThreadId: () => pid },
      Module: {
        findGlobalExportByName: findExport,
        getGlobalExportByName: (name: string) => {
          const p = findExport(name);
          if (!p) throw new Error(`unable to find global export '${name}'`);
          return p;
        },
      },
      Interceptor: {
        attach(target: { $export?: string }, callbacks: NativeListener) {
          if (!target?.$export) throw new Error('Interceptor.attach: the virtual device only hooks libc exports');
          const detach = self.options.onNativeAttach(target.$export, callbacks);
          self.detachers.push(detach);
          return { detach };
        },
        detachAll() {
          for (const d of self.detachers.splice(0)) d();
        },
      },
      send(message: unknown) {
        if (self.destroyed) return;
        // Frida serialises messages as JSON; doing the same keeps non-JSON values out.
        onMessage({ type: 'send', payload: JSON.parse(JSON.stringify(message ?? null)) as unknown });
      },
      recv(typeOrCallback: unknown, maybeCallback?: unknown) {
        const type = typeof typeOrCallback === 'string' ? typeOrCallback : undefined;
        const callback = (type === undefined ? typeOrCallback : maybeCallback) as PendingRecv['callback'];
        self.pendingRecv.push({ type, callback });
        queueMicrotask(() => self.deliver());
        return { wait: () => undefined };
      },
      rpc: {
        get exports() {
          return self.exports;
        },
        set exports(value: Record<string, unknown>) {
          self.exports = value ?? {};
        },
      },
      setTimeout(fn: (...a: unknown[]) => void, ms?: number, ...params: unknown[]) {
        if (self.destroyed) return undefined;
        const t = setTimeout(() => {
          self.timers.delete(t);
          if (!self.destroyed) self.guard(() => fn(...params));
        }, ms ?? 0);
        self.timers.add(t);
        return t;
      },
      clearTimeout(t: NodeJS.Timeout) {
        clearTimeout(t);
        self.timers.delete(t);
      },
      console: {
        log: () => undefined,
        warn: () => undefined,
        error: () => undefined,
      },
      queueMicrotask,
    };
  }
}

import { EventEmitter } from 'node:events';
import type { JavaCall, JavaRuntime } from '../contracts.js';
import { AgentScript, type NativeListener, type ScriptMessage } from './agent-script.js';
import { createJavaBridge, type Implementation } from './java-bridge.js';
import { methodKey, type JavaWorld, type MethodDef } from './java-world.js';

/**
 * The virtual handset's instrumentation runtime: app models route every sensitive Java call
 * through `invoke`, and the hooks that loaded agents installed on that process wrap it. It also
 * does what frida-server does for spawn gating: a starting process waits in `processStarting`
 * until someone resumes it.
 *
 * Events (for the Frida-compatible service): 'spawn-added' {pid, identifier},
 * 'process-died' {pid, reason, crashed}.
 */

export const VIRTUAL_FRIDA_VERSION = '17.0.0-virtual';

interface Frame {
  def: MethodDef;
  pid: number;
  stack: string[];
  thread: string;
  original: (() => unknown) | undefined;
}

interface ProcessHooks {
  implementations: Map<string, Implementation>;
  native: Map<string, Set<NativeListener>>;
  scripts: Set<AgentScript>;
}

export interface PendingSpawn {
  pid: number;
  identifier: string;
}

/** A Java exception an app model throws from an original (e.g. SecurityException on Android 10+). */
export class JavaThrowable extends Error {
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super(`${javaClass}: ${message}`);
    this.name = javaClass;
  }

  override toString(): string {
    return this.message;
  }
}

export interface VirtualJavaRuntimeOptions {
  world: JavaWorld;
  androidVersion: string;
  /** Process name for a pid ("com.example.app:push"); defaults to the package name. */
  processName?: (pid: number) => string | undefined;
  /** Device monotonic clock in ns (SystemClock.elapsedRealtimeNanos). */
  monotonicNs?: () => number;
}

export class VirtualJavaRuntime extends EventEmitter implements JavaRuntime {
  readonly world: JavaWorld;
  private readonly processes = new Map<number, ProcessHooks>();
  private readonly frames: Frame[] = [];
  private readonly suspended = new Map<number, { identifier: string; resume: () => void }>();
  private readonly expected = new Map<string, ((pid: number) => void)[]>();
  private gating = false;
  private readonly names = new Map<number, string>();

  constructor(private readonly options: VirtualJavaRuntimeOptions) {
    super();
    this.world = options.world;
  }

  // ── JavaRuntime (called by the app runtime) ──────────────────────────────────────────────

  invoke<T>(call: JavaCall, original: () => T): T {
    const def = this.world.resolve(call.className, call.method, call.parameterTypes);
    const impl = this.processes.get(call.pid)?.implementations.get(def.key);
    if (!impl) return original();
    const frame: Frame = { def, pid: call.pid, stack: call.stack, thread: call.thread, original };
    this.frames.push(frame);
    try {
      const bridge = this.bridgeFor(call.pid);
      // `this.$className` is the receiver's runtime class (an Activity subclass for onResume);
      // app models may say it in `receiverClass`, else it is the class whose method runs.
      const runtimeClass = (call as JavaCall & { receiverClass?: string }).receiverClass ?? def.className;
      const receiver = bridge ? bridge.receiver(def.className, runtimeClass) : undefined;
      return impl.apply(receiver, call.args) as T;
    } finally {
      this.frames.pop();
    }
  }

  nativeOpen(path: string, pid: number, _packageName: string, stack: string[]): void {
    const listeners = this.processes.get(pid)?.native.get('openat');
    if (!listeners || listeners.size === 0) return;
    const def = this.world.define('libc', 'openat', ['int', 'java.lang.String', 'int'], 'int');
    this.frames.push({ def, pid, stack, thread: 'main', original: undefined });
    try {
      // AT_FDCWD, path, O_RDONLY; the descriptor is a plausible one (the OS model has no fd table).
      const args = [ptr(-100), ptr(path), ptr(0)];
      for (const listener of [...listeners]) {
        const ctx: Record<string, unknown> = {};
        listener.onEnter?.call(ctx, args);
        listener.onLeave?.call(ctx, ptr(42));
      }
    } finally {
      this.frames.pop();
    }
  }

  async processStarting(pid: number, packageName: string): Promise<void> {
    const identifier = this.options.processName?.(pid) ?? packageName;
    this.names.set(pid, identifier);
    const waiters = this.expected.get(identifier);
    const expected = waiters !== undefined && waiters.length > 0;
    if (!this.gating && !expected) return;
    await new Promise<void>((resolve) => {
      this.suspended.set(pid, { identifier, resume: resolve });
      if (expected) waiters.shift()!(pid);
      else this.emit('spawn-added', { pid, identifier } satisfies PendingSpawn);
    });
  }

  processDied(pid: number, reason: string): void {
    const hooks = this.processes.get(pid);
    this.processes.delete(pid);
    this.bridges.delete(pid);
    this.suspended.delete(pid);
    if (hooks) for (const s of hooks.scripts) s.unload();
    const processName = this.names.get(pid) ?? this.options.processName?.(pid) ?? '';
    this.names.delete(pid);
    this.emit('process-died', { pid, processName, reason, crashed: /crash|fatal|signal/i.test(reason) });
  }

  // ── frida-server's side (called by the service) ──────────────────────────────────────────

  enableSpawnGating(): void {
    this.gating = true;
  }

  disableSpawnGating(): void {
    this.gating = false;
  }

  pendingSpawns(): PendingSpawn[] {
    return [...this.suspended].map(([pid, s]) => ({ pid, identifier: s.identifier }));
  }

  /** Waits for the next start of `identifier` and holds it suspended (Device.spawn). */
  expectSpawn(identifier: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const list = this.expected.get(identifier) ?? [];
      const timer = setTimeout(() => {
        const i = list.indexOf(done);
        if (i >= 0) list.splice(i, 1);
        reject(new Error(`${identifier} did not start within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (pid: number) => {
        clearTimeout(timer);
        resolve(pid);
      };
      list.push(done);
      this.expected.set(identifier, list);
    });
  }

  resume(pid: number): boolean {
    const s = this.suspended.get(pid);
    if (!s) return false;
    this.suspended.delete(pid);
    s.resume();
    return true;
  }

  /** Creates (not loads) an agent script in process `pid`. */
  createScript(pid: number, source: string, onMessage: (m: ScriptMessage) => void): AgentScript {
    const hooks = this.hooksOf(pid);
    const java = this.bridgeFor(pid, true)!;
    const script = new AgentScript({
      source,
      pid,
      java,
      frida: VIRTUAL_FRIDA_VERSION,
      onMessage,
      onNativeAttach: (fn, listener) => {
        const set = hooks.native.get(fn) ?? new Set();
        set.add(listener);
        hooks.native.set(fn, set);
        return () => set.delete(listener);
      },
    });
    hooks.scripts.add(script);
    return script;
  }

  /** Unloads a script: its Java hooks are reverted, as Frida does on unload. */
  destroyScript(pid: number, script: AgentScript): void {
    script.unload();
    const hooks = this.processes.get(pid);
    if (!hooks) return;
    hooks.scripts.delete(script);
    if (hooks.scripts.size === 0) hooks.implementations.clear();
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  private readonly bridges = new Map<number, ReturnType<typeof createJavaBridge>>();

  private bridgeFor(pid: number, create = false): ReturnType<typeof createJavaBridge> | undefined {
    let bridge = this.bridges.get(pid);
    if (!bridge && create) {
      const hooks = this.hooksOf(pid);
      bridge = createJavaBridge({
        world: this.world,
        androidVersion: this.options.androidVersion,
        getImplementation: (def) => hooks.implementations.get(def.key) ?? null,
        setImplementation: (def, fn) => {
          if (fn) hooks.implementations.set(def.key, fn);
          else hooks.implementations.delete(def.key);
        },
        pendingOriginal: (def) => {
          for (let i = this.frames.length - 1; i >= 0; i -= 1) {
            const f = this.frames[i]!;
            if (f.pid === pid && f.def.key === def.key && f.original) return f.original;
          }
          return undefined;
        },
        currentStack: () => {
          const f = this.frames[this.frames.length - 1];
          if (!f) return [];
          // On a phone the replaced method is the innermost frame of a stack taken in its hook;
          // app models that already put the API frame on top keep theirs.
          const prefix = `${f.def.className}.${f.def.name}(`;
          const own = f.def.className === 'libc' || f.stack[0]?.startsWith(prefix) ? [] : [`${prefix}Native Method)`];
          return [...own, ...f.stack];
        },
        currentThread: () => this.frames[this.frames.length - 1]?.thread ?? 'main',
        elapsedRealtimeNanos: () => this.options.monotonicNs?.() ?? Number(process.hrtime.bigint()),
      });
      this.bridges.set(pid, bridge);
    }
    return bridge;
  }

  private hooksOf(pid: number): ProcessHooks {
    let hooks = this.processes.get(pid);
    if (!hooks) {
      hooks = { implementations: new Map(), native: new Map(), scripts: new Set() };
      this.processes.set(pid, hooks);
    }
    return hooks;
  }
}

function ptr(value: number | string) {
  return {
    readUtf8String: () => (typeof value === 'string' ? value : null),
    toInt32: () => (typeof value === 'number' ? value : 0),
    toString: () => String(value),
  };
}

export { methodKey };

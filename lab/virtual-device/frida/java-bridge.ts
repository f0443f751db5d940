import type { JavaWorld, MethodDef } from './java-world.js';

/**
 * The slice of Frida's Java bridge (frida-java-bridge) that agents use, over the virtual handset's
 * Java world: `Java.use(cls)` wrappers whose methods expose `overloads`, `overload(...types)` and
 * an `implementation` slot; calling an overload from inside its own replacement reaches the
 * original, as on a phone; `$new` for the few classes agents construct; `$className`.
 *
 * Known difference from a phone: the original is the app model's closure, so a hook that calls
 * the original with changed arguments changes nothing.
 */

export type Implementation = (this: unknown, ...args: unknown[]) => unknown;

/** What one process's bridge needs from the runtime. */
export interface BridgeHost {
  readonly world: JavaWorld;
  readonly androidVersion: string;
  getImplementation(def: MethodDef): Implementation | null;
  setImplementation(def: MethodDef, fn: Implementation | null): void;
  /** The original of `def` when a call of it is in progress on this process, else undefined. */
  pendingOriginal(def: MethodDef): (() => unknown) | undefined;
  /** Java stack of the call in progress (innermost first), including the hooked method itself. */
  currentStack(): string[];
  currentThread(): string;
  elapsedRealtimeNanos(): number;
}

export interface JavaThrowableLike {
  $className: string;
  frames: string[];
  toString(): string;
}

export interface VirtualJava {
  available: boolean;
  androidVersion: string;
  perform(fn: () => void): void;
  performNow(fn: () => void): void;
  use(className: string): Record<string, unknown>;
  /** The receiver wrapper (`this` of a replacement) for an instance of `className`. */
  receiver(className: string, runtimeClass: string): Record<string, unknown>;
}

export function createJavaBridge(host: BridgeHost): VirtualJava {
  const classCache = new Map<string, Record<string, unknown>>();
  const overloadCache = new Map<string, Implementation>();

  const builtins: Record<string, (args: unknown[]) => unknown> = {
    'android.util.Log.getStackTraceString(java.lang.Throwable)': ([t]) => {
      const throwable = t as Partial<JavaThrowableLike> | null;
      if (!throwable || !Array.isArray(throwable.frames)) return '';
      return [String(throwable.$className), ...throwable.frames.map((f) => `\tat ${f}`)].join('\n');
    },
    'java.lang.Thread.currentThread()': () => {
      const name = host.currentThread();
      return { $className: 'java.lang.Thread', getName: () => name, toString: () => `Thread[${name}]` };
    },
    'android.os.SystemClock.elapsedRealtimeNanos()': () => host.elapsedRealtimeNanos(),
    'android.os.SystemClock.elapsedRealtime()': () => Math.floor(host.elapsedRealtimeNanos() / 1e6),
  };

  function construct(className: string): unknown {
    if (className === 'java.util.ArrayList') return [];
    if (className === 'java.lang.Exception' || className === 'java.lang.Throwable') {
      const frames = host.currentStack();
      const throwable: JavaThrowableLike = { $className: className, frames, toString: () => className };
      return throwable;
    }
    throw new Error(`java.lang.InstantiationException: the virtual device cannot construct ${className}`);
  }

  function overloadFunction(def: MethodDef): Implementation {
    const cached = overloadCache.get(def.key);
    if (cached) return cached;
    const fn = function (this: unknown, ...args: unknown[]): unknown {
      const original = host.pendingOriginal(def);
      if (original) return original();
      const builtin = builtins[def.key];
      if (builtin) return builtin(args);
      throw new Error(`virtual device: ${def.key} can only be called from inside a hook of that method`);
    };
    Object.defineProperties(fn, {
      methodName: { value: def.name },
      holder: { get: () => use(def.className) },
      argumentTypes: { value: def.argTypes.map((className) => ({ className, name: className })) },
      returnType: { value: { className: def.returnType, name: def.returnType } },
      implementation: {
        get: () => host.getImplementation(def),
        set: (value: unknown) => {
          if (value !== null && value !== undefined && typeof value !== 'function') {
            throw new TypeError('implementation must be a function or null');
          }
          host.setImplementation(def, (value as Implementation | null | undefined) ?? null);
        },
      },
    });
    overloadCache.set(def.key, fn);
    return fn;
  }

  function dispatcher(className: string, name: string): Implementation {
    const overloads = () => (host.world.methodsOf(className)?.get(name) ?? []).map(overloadFunction);
    const describe = () => overloads().map((o) => `\t.overload(${(o as unknown as { argumentTypes: { className: string }[] }).argumentTypes.map((t) => `'${t.className}'`).join(', ')})`).join('\n');
    const single = () => {
      const all = overloads();
      if (all.length !== 1) throw new Error(`${name}(): has more than one overload, use .overload(<signature>) to choose from:\n${describe()}`);
      return all[0]!;
    };
    const dispatch = function (this: unknown, ...args: unknown[]): unknown {
      const matching = overloads().filter((o) => (o as unknown as { argumentTypes: unknown[] }).argumentTypes.length === args.length);
      if (matching.length !== 1) {
        throw new Error(`${name}(): argument count of ${args.length} does not match ${matching.length ? 'exactly one' : 'any'} overload:\n${describe()}`);
      }
      return matching[0]!.apply(this, args);
    };
    Object.defineProperties(dispatch, {
      overloads: { get: overloads },
      overload: {
        value: (...types: string[]) => {
          const hit = (host.world.methodsOf(className)?.get(name) ?? []).find(
            (d) => d.argTypes.length === types.length && d.argTypes.every((t, i) => t === types[i]),
          );
          if (!hit) throw new Error(`${name}(): specified argument types do not match any of:\n${describe()}`);
          return overloadFunction(hit);
        },
      },
      implementation: {
        get: () => (single() as unknown as { implementation: unknown }).implementation,
        set: (value: unknown) => {
          (single() as unknown as { implementation: unknown }).implementation = value;
        },
      },
    });
    return dispatch;
  }

  function use(className: string): Record<string, unknown> {
    const cached = classCache.get(className);
    if (cached) return cached;
    const methods = host.world.methodsOf(className);
    if (!methods) throw new Error(`java.lang.ClassNotFoundException: Didn't find class "${className}"`);
    const wrapper: Record<string, unknown> = {
      $className: className,
      $new: () => construct(className),
      toString: () => `<class: ${className}>`,
    };
    for (const name of methods.keys()) {
      Object.defineProperty(wrapper, name, { value: dispatcher(className, name), enumerable: true });
    }
    classCache.set(className, wrapper);
    return wrapper;
  }

  return {
    available: true,
    androidVersion: host.androidVersion,
    perform: (fn) => fn(),
    performNow: (fn) => fn(),
    use,
    receiver(className, runtimeClass) {
      const instance = Object.create(use(className)) as Record<string, unknown>;
      Object.defineProperty(instance, '$className', { value: runtimeClass });
      return instance;
    },
  };
}

import { catalogueMethods, type HookCatalogue } from '../../../product/contracts/hook-catalogue.js';

/**
 * The Java classes the virtual handset has. A phone learns them from its class files; the
 * virtual device has none, so its framework is declared: every API in the hook catalogue (a phone
 * has those too), the few framework classes agents themselves call, and any method an app model
 * calls that was not declared yet (created on first call, unhooked, as a phone's would be).
 */

export interface MethodDef {
  className: string;
  name: string;
  argTypes: string[];
  returnType: string;
  /** "class.method(type,type)": the identity hooks are keyed by. */
  key: string;
}

export const methodKey = (className: string, name: string, argTypes: readonly string[]) =>
  `${className}.${name}(${argTypes.join(',')})`;

/** Framework methods the agents call for context (stack, thread, clock); the runtime answers them. */
const AGENT_SUPPORT: [string, string, string[], string][] = [
  ['android.util.Log', 'getStackTraceString', ['java.lang.Throwable'], 'java.lang.String'],
  ['java.lang.Thread', 'currentThread', [], 'java.lang.Thread'],
  ['java.lang.Thread', 'getName', [], 'java.lang.String'],
  ['android.os.SystemClock', 'elapsedRealtimeNanos', [], 'long'],
  ['android.os.SystemClock', 'elapsedRealtime', [], 'long'],
];
const CONSTRUCTIBLE = ['java.lang.Exception', 'java.lang.Throwable', 'java.util.ArrayList'];

/**
 * Abstract framework classes and the class that implements them in every app process. An app
 * calls `PackageManager.getInstalledPackages`; what runs (and what a hook must be on) is
 * ApplicationPackageManager's method: virtual dispatch, which the declared world reproduces.
 */
const IMPLEMENTED_BY: Record<string, string> = {
  'android.content.pm.PackageManager': 'android.app.ApplicationPackageManager',
  'android.content.Context': 'android.app.ContextImpl',
};

export class JavaWorld {
  private readonly classes = new Map<string, Map<string, MethodDef[]>>();

  static fromCatalogue(catalogue: HookCatalogue): JavaWorld {
    const world = new JavaWorld();
    for (const m of catalogueMethods(catalogue)) {
      for (const argTypes of m.overloads) world.define(m.className, m.method, argTypes, m.returns ?? 'java.lang.Object');
    }
    for (const [cls, name, args, ret] of AGENT_SUPPORT) world.define(cls, name, args, ret);
    for (const cls of CONSTRUCTIBLE) world.defineClass(cls);
    return world;
  }

  defineClass(className: string): Map<string, MethodDef[]> {
    let methods = this.classes.get(className);
    if (!methods) {
      methods = new Map();
      this.classes.set(className, methods);
    }
    return methods;
  }

  /** Declares a method (idempotent) and returns its definition. */
  define(className: string, name: string, argTypes: readonly string[], returnType = 'java.lang.Object'): MethodDef {
    const methods = this.defineClass(className);
    const overloads = methods.get(name) ?? [];
    const key = methodKey(className, name, argTypes);
    const existing = overloads.find((o) => o.key === key);
    if (existing) return existing;
    const def: MethodDef = { className, name, argTypes: [...argTypes], returnType, key };
    overloads.push(def);
    methods.set(name, overloads);
    return def;
  }

  /** The method a call reaches: the declared one, the implementation's for abstract classes, or a new one. */
  resolve(className: string, name: string, argTypes: readonly string[]): MethodDef {
    const key = methodKey(className, name, argTypes);
    const own = this.classes.get(className)?.get(name)?.find((o) => o.key === key);
    if (own) return own;
    const impl = IMPLEMENTED_BY[className];
    if (impl) {
      const implKey = methodKey(impl, name, argTypes);
      const hit = this.classes.get(impl)?.get(name)?.find((o) => o.key === implKey);
      if (hit) return hit;
    }
    return this.define(className, name, argTypes);
  }

  hasClass(className: string): boolean {
    return this.classes.has(className);
  }

  methodsOf(className: string): ReadonlyMap<string, MethodDef[]> | undefined {
    return this.classes.get(className);
  }
}

import type { EventEmitter } from './emitter.js';
import type { JavaBridge, JavaMethod, JavaWrapper } from './java-bridge.js';
import type { JavaContext } from './java-context.js';
import type { AgentEvent, AgentOptions, HookSpec, MissingHook } from '../../../../product/contracts/agent-protocol.js';
import { describeThrowable, permissionNames, summarise } from './summary.js';

export interface HookDeps {
  java: JavaBridge;
  emitter: EventEmitter;
  context: JavaContext;
  options: AgentOptions;
  now(): number;
}

export interface InstallReport {
  hooked: string[];
  missing: MissingHook[];
}

const signature = (types: string[]) => `(${types.join(',')})`;

/**
 * Installs one catalogue entry on every overload the class really has (`overloads`), and reports
 * the overloads the catalogue lists that do not exist on this device.
 */
export function installHook(spec: HookSpec, deps: HookDeps, report: InstallReport): void {
  const api = `${spec.className}.${spec.method}`;
  let dispatcher: { overloads: JavaMethod[] } | undefined;
  try {
    const cls: JavaWrapper = deps.java.use(spec.className);
    dispatcher = cls[spec.method] as { overloads: JavaMethod[] } | undefined;
  } catch (error) {
    report.missing.push({ api, reason: `class not found: ${describeThrowable(error)}` });
    return;
  }
  if (!dispatcher || !Array.isArray(dispatcher.overloads)) {
    report.missing.push({ api, reason: 'no such method' });
    return;
  }
  const present = new Set<string>();
  for (const overload of dispatcher.overloads) {
    const sig = signature(overload.argumentTypes.map((t) => t.className));
    present.add(sig);
    try {
      overload.implementation = makeImplementation(spec, api, sig, overload, deps);
      report.hooked.push(api + sig);
    } catch (error) {
      report.missing.push({ api, overload: sig, reason: `cannot hook: ${describeThrowable(error)}` });
    }
  }
  for (const expected of spec.overloads) {
    const sig = signature(expected);
    if (!present.has(sig)) report.missing.push({ api, overload: sig, reason: 'overload not present' });
  }
}

function makeImplementation(
  spec: HookSpec,
  api: string,
  sig: string,
  original: JavaMethod,
  deps: HookDeps,
): (this: JavaWrapper, ...args: unknown[]) => unknown {
  const key = api + sig;
  const { options, emitter, context } = deps;
  const tlsReplacement = spec.kind === 'tls' ? tlsResult(spec, deps.java) : undefined;

  return function hooked(this: JavaWrapper, ...args: unknown[]): unknown {
    const dataType = dataTypeFor(spec, args);
    if (dataType === undefined) return original.apply(this, args);
    const admission = emitter.admit(key);
    if (admission === 'count') return tlsReplacement ? tlsReplacement(args) : original.apply(this, args);

    const tWall = deps.now();
    const monotonicNs = context.monotonicNs();
    let ret: unknown;
    let thrown: unknown;
    let threw = false;
    try {
      // The bypass answers in place of the pinning check; everything else calls the original.
      ret = tlsReplacement ? tlsReplacement(args) : original.apply(this, args);
    } catch (error) {
      threw = true;
      thrown = error;
    }
    const event: AgentEvent = {
      dataType,
      api,
      overload: sig,
      args: args.map((a) => summarise(a, options.argMaxChars)),
      outcome: threw ? { kind: 'threw', error: describeThrowable(thrown) } : { kind: 'returned' },
      tWall,
      stack: context.stack(),
    };
    if (monotonicNs !== undefined) event.monotonicNs = monotonicNs;
    const thread = context.threadName();
    if (thread !== undefined) event.thread = thread;
    if (!threw && original.returnType.className !== 'void') event.ret = summarise(ret, options.retMaxChars);
    if (spec.kind === 'permission' && spec.permissionsArg !== undefined) {
      event.permissions = permissionNames(args[spec.permissionsArg]);
    }
    if (spec.kind === 'lifecycle' && spec.state) {
      event.lifecycle = { state: spec.state, component: String(this?.$className ?? spec.className) };
    }
    emitter.record(key, admission, event);
    if (threw) throw thrown;
    return ret;
  };
}

/** The data type a call reveals, or undefined when a filter says this call reveals nothing. */
function dataTypeFor(spec: HookSpec, args: unknown[]): string | undefined {
  if (spec.when) {
    const value = args[spec.when.arg];
    if (typeof value !== 'string' || !spec.when.in.includes(value)) return undefined;
  }
  if (spec.classify) {
    const text = summarise(args[spec.classify.arg], 2048);
    const hit = spec.classify.prefixes.find((p) => text.startsWith(p.prefix));
    return hit?.dataType;
  }
  switch (spec.kind) {
    case 'permission':
      return 'permission-request';
    case 'tls':
      return 'tls-bypass';
    case 'lifecycle':
      return 'lifecycle';
    default:
      return spec.dataType;
  }
}

function tlsResult(spec: HookSpec, java: JavaBridge): (args: unknown[]) => unknown {
  switch (spec.action) {
    case 'return-arg0':
      return (args) => args[0];
    case 'return-empty-list': {
      const list = java.use('java.util.ArrayList');
      return () => list.$new();
    }
    case 'return-true':
      return () => true;
    case 'return-void':
    default:
      return () => undefined;
  }
}

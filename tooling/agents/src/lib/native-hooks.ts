import type { EventEmitter } from './emitter.js';
import type { JavaBridge } from './java-bridge.js';
import type { JavaContext } from './java-context.js';
import type { AgentEvent, MissingHook, NativeSpec } from '../../../../product/contracts/agent-protocol.js';

export interface NativeDeps {
  java: JavaBridge;
  emitter: EventEmitter;
  context: JavaContext;
  now(): number;
}

interface PathRule {
  dataType: string;
  pattern: RegExp;
}

/** Frida 17 has Module.findGlobalExportByName; Frida 16 has Module.findExportByName(null, name). */
function findExport(name: string): NativePointer | null {
  const mod = Module as unknown as {
    findGlobalExportByName?: (n: string) => NativePointer | null;
    findExportByName?: (m: string | null, n: string) => NativePointer | null;
  };
  if (typeof mod.findGlobalExportByName === 'function') return mod.findGlobalExportByName(name);
  if (typeof mod.findExportByName === 'function') return mod.findExportByName(null, name);
  return null;
}

/**
 * Side channels through libc: `open(path, ...)` and `openat(dirfd, path, ...)` of files such as
 * /sys/class/net/wlan0/address reveal what the Java API hides after Android 6. Paths are tested
 * before anything else, so the cost on every other open is one string read and a few regexes.
 */
export function installNativeHooks(specs: NativeSpec[], deps: NativeDeps, report: { hooked: string[]; missing: MissingHook[] }): void {
  const byFunction = new Map<string, PathRule[]>();
  for (const spec of specs) {
    for (const fn of spec.functions) {
      const rules = byFunction.get(fn) ?? [];
      for (const source of spec.paths) rules.push({ dataType: spec.dataType, pattern: new RegExp(source) });
      byFunction.set(fn, rules);
    }
  }
  let inside = false;
  for (const [fn, rules] of byFunction) {
    const api = `libc!${fn}`;
    const address = findExport(fn);
    if (!address) {
      report.missing.push({ api, reason: 'export not found' });
      continue;
    }
    const pathArg = fn === 'openat' ? 1 : 0;
    Interceptor.attach(address, {
      onEnter(args) {
        if (inside) return;
        const path = args[pathArg]?.readUtf8String() ?? null;
        if (path === null) return;
        const rule = rules.find((r) => r.pattern.test(path));
        if (!rule) return;
        const admission = deps.emitter.admit(`${api}:${path}`);
        if (admission === 'count') return;
        // Reading the Java stack opens no files, but guard anyway: a hook must never recurse.
        inside = true;
        let stack: string[] = [];
        let thread: string | undefined;
        let monotonicNs: string | undefined;
        try {
          if (deps.java.available) {
            deps.java.performNow(() => {
              stack = deps.context.stack();
              thread = deps.context.threadName();
              monotonicNs = deps.context.monotonicNs();
            });
          }
        } catch {
          // A native thread with no Java frames: the event still counts, without a Java stack.
        } finally {
          inside = false;
        }
        const event: AgentEvent = {
          dataType: rule.dataType,
          api,
          args: [path],
          outcome: { kind: 'returned' },
          tWall: deps.now(),
          stack,
        };
        if (thread !== undefined) event.thread = thread;
        if (monotonicNs !== undefined) event.monotonicNs = monotonicNs;
        this.pending = { event, admission, key: `${api}:${path}` };
      },
      onLeave(retval) {
        const pending = this.pending as { event: AgentEvent; admission: 'keep' | 'summary'; key: string } | undefined;
        if (!pending) return;
        const fd = retval.toInt32();
        pending.event.ret = String(fd);
        // open() reports failure with -1; a failed attempt is still an attempt.
        if (fd < 0) pending.event.outcome = { kind: 'threw', error: `${fn} failed (${fd})` };
        deps.emitter.record(pending.key, pending.admission, pending.event);
      },
    });
    report.hooked.push(api);
  }
}

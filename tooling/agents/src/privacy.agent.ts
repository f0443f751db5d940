import Java from '#java';
import { EventEmitter } from './lib/emitter.js';
import { JavaContext } from './lib/java-context.js';
import { installHook, type InstallReport } from './lib/java-hooks.js';
import { installNativeHooks } from './lib/native-hooks.js';
import { StackInterner } from './lib/stack-interner.js';
import { AGENT_NAME, AGENT_VERSION, type AgentMessage, type ConfigMessage, type HostMessage } from '../../../product/contracts/agent-protocol.js';
import { describeThrowable } from './lib/summary.js';

/**
 * The privacy agent. It says hello, waits for the host's `config` (the hook catalogue and rate
 * limits as typed data), installs every hook inside Java.perform, and reports `ready` with what
 * it hooked and what it could not. The host resumes the spawned process only after `ready`, so
 * hooks are in place before Application.onCreate.
 */

const pid = Process.id;
let emitter: EventEmitter | undefined;

function post(message: AgentMessage): void {
  send(message);
}

function install(config: ConfigMessage): void {
  const report: InstallReport = { hooked: [], missing: [] };
  const now = () => Date.now();
  // A host that sends no table limits predates interning and expects every stack inline.
  const stacks = new StackInterner({ maxStacks: config.options.stackTableMaxStacks ?? 0, maxChars: config.options.stackTableMaxChars ?? 0 });
  const active = new EventEmitter(config.options, {
    send: (batch, dropped) => {
      const wire = stacks.intern(batch);
      post({ type: 'events', pid, events: wire.events, dropped, ...(wire.stacks.length ? { stacks: wire.stacks } : {}) });
    },
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    now,
  });
  emitter = active;
  const hooks = config.options.tlsBypass ? config.hooks : config.hooks.filter((h) => h.kind !== 'tls');
  const run = () => {
    const context = new JavaContext(Java, config.options.stackMaxFrames);
    for (const spec of hooks) installHook(spec, { java: Java, emitter: active, context, options: config.options, now }, report);
    installNativeHooks(config.native, { java: Java, emitter: active, context, now }, report);
    post({ type: 'ready', pid, hooked: report.hooked, missing: report.missing });
  };
  if (Java?.available) Java.perform(run);
  else {
    report.missing.push({ api: 'java', reason: 'no Java runtime in this process' });
    post({ type: 'ready', pid, hooked: report.hooked, missing: report.missing });
  }
}

function listen(): void {
  recv((message: HostMessage) => {
    try {
      if (message.type === 'config') {
        if (emitter) post({ type: 'problem', pid, message: 'config received twice; ignored' });
        else install(message);
      } else if (message.type === 'flush') {
        emitter?.drain();
        post({ type: 'flushed', pid, token: message.token });
      }
    } catch (error) {
      post({ type: 'problem', pid, message: `agent failed to handle ${String(message?.type)}: ${describeThrowable(error)}` });
    }
    listen();
  });
}

listen();
rpc.exports = {
  // Frida calls dispose() when the script is unloaded: counted calls must still reach the host.
  dispose(): void {
    emitter?.drain();
  },
};
post({
  type: 'hello',
  agent: AGENT_NAME,
  version: AGENT_VERSION,
  pid,
  javaAvailable: Java?.available === true,
  ...(Java?.available ? { androidVersion: String(Java.androidVersion) } : {}),
  runtime: typeof Frida !== 'undefined' ? `frida ${Frida.version}` : 'unknown',
});

import { agentConfig, type AgentOptions } from '../../../../product/contracts/agent-config.js';
import { AgentEvent, AgentMessage, StackDefinition } from '../../../../product/contracts/agent-messages.js';
import { loadHookCatalogue, type HookCatalogue } from '../../../../product/contracts/hook-catalogue.js';
import type { JavaCall } from '../../contracts.js';
import type { AgentScript, ScriptMessage } from '../agent-script.js';
import { JavaWorld } from '../java-world.js';
import { VirtualJavaRuntime } from '../runtime.js';

/** An agent event as the host sees it once its stack id is resolved. */
export type ResolvedAgentEvent = Omit<AgentEvent, 'stack' | 'stackId'> & { stack: string[] };

/**
 * Test harness shipped with the runtime: loads a real agent bundle into a VirtualJavaRuntime
 * process and collects what it sends, validated by the host's own message schema.
 */
export interface LoadedAgent {
  runtime: VirtualJavaRuntime;
  script: AgentScript;
  catalogue: HookCatalogue;
  messages: AgentMessage[];
  errors: ScriptMessage[];
  /** Every event sent so far, interned stacks resolved (each event with its `stack`). */
  events(): ResolvedAgentEvent[];
  /** Asks the agent to drain its queue and sampling windows, and waits for the answer. */
  flush(): Promise<void>;
  call<T>(call: Partial<JavaCall> & Pick<JavaCall, 'className' | 'method' | 'parameterTypes'>, original: () => T): T;
}

export async function loadAgent(
  source: string,
  options: { pid?: number; packageName?: string; agentOptions?: Partial<AgentOptions>; catalogue?: HookCatalogue } = {},
): Promise<LoadedAgent> {
  const pid = options.pid ?? 4242;
  const packageName = options.packageName ?? 'com.example.app';
  const catalogue = options.catalogue ?? loadHookCatalogue();
  const runtime = new VirtualJavaRuntime({ world: JavaWorld.fromCatalogue(catalogue), androidVersion: '13' });
  const messages: AgentMessage[] = [];
  const errors: ScriptMessage[] = [];
  const waiters: ((m: AgentMessage) => boolean)[] = [];
  const script = runtime.createScript(pid, source, (m) => {
    if (m.type !== 'send') {
      errors.push(m);
      return;
    }
    const parsed = AgentMessage.parse(m.payload);
    messages.push(parsed);
    for (let i = waiters.length - 1; i >= 0; i -= 1) if (waiters[i]!(parsed)) waiters.splice(i, 1);
  });
  const waitFor = (pred: (m: AgentMessage) => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      if (messages.some(pred)) return resolve();
      const timer = setTimeout(() => reject(new Error(`agent did not send ${what} within 5 s`)), 5000);
      waiters.push((m) => {
        if (!pred(m)) return false;
        clearTimeout(timer);
        resolve();
        return true;
      });
    });
  script.load();
  if (errors.length) throw new Error(`agent failed to load: ${JSON.stringify(errors)}`);
  script.post(agentConfig(catalogue, options.agentOptions));
  await waitFor((m) => m.type === 'ready', 'ready');
  let token = 0;
  return {
    runtime,
    script,
    catalogue,
    messages,
    errors,
    events: () => resolvedEvents(messages),
    async flush() {
      const t = `t${++token}`;
      script.post({ type: 'flush', token: t });
      await waitFor((m) => m.type === 'flushed' && m.token === t, `flushed ${t}`);
    },
    call(call, original) {
      return runtime.invoke(
        {
          args: [],
          stack: ['com.example.app.MainActivity.onCreate(MainActivity.java:10)', 'android.app.Activity.performCreate(Activity.java:8000)'],
          thread: 'main',
          pid,
          packageName,
          ...call,
        },
        original,
      );
    },
  };
}

/** Events with their stacks resolved from the definitions the agent sent (stack interning). */
function resolvedEvents(messages: readonly AgentMessage[]): ResolvedAgentEvent[] {
  const stacks = new Map<number, string[]>();
  const out: ResolvedAgentEvent[] = [];
  for (const m of messages) {
    if (m.type !== 'events') continue;
    for (const raw of m.stacks ?? []) {
      const d = StackDefinition.parse(raw);
      if (stacks.has(d.id)) throw new Error(`the agent defined stack ${d.id} twice`);
      stacks.set(d.id, d.frames);
    }
    for (const raw of m.events) {
      const { stack, stackId, ...rest } = AgentEvent.parse(raw);
      const frames = stackId === undefined ? stack : stacks.get(stackId);
      if (!frames) throw new Error(`the agent used stack ${stackId} before defining it`);
      out.push({ ...rest, stack: frames });
    }
  }
  return out;
}

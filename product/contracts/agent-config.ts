import { z } from 'zod';
import type { AgentOptions as ProtocolAgentOptions, ConfigMessage, HookSpec } from './agent-protocol.js';
import type { HookCatalogue } from './hook-catalogue.js';

/**
 * The `config` message the host posts to the agent: the hook catalogue flattened to one entry per
 * class + method, plus rate limits. Typed parameters, never spliced into the agent's source.
 */

export const AgentOptions = z
  .object({
    tlsBypass: z.boolean().default(true),
    batchMaxEvents: z.number().int().positive().default(200),
    batchFlushMs: z.number().int().positive().default(100),
    sampleWindowMs: z.number().int().positive().default(1000),
    sampleKeepPerWindow: z.number().int().positive().default(20),
    argMaxChars: z.number().int().min(64).max(4096).default(512),
    retMaxChars: z.number().int().min(64).max(16_384).default(2048),
    stackMaxFrames: z.number().int().min(1).max(200).default(64),
    maxQueuedEvents: z.number().int().positive().default(10_000),
    /**
     * Stack interning (stack-table.ts): each agent may define this many distinct stacks, holding
     * at most this many frame characters in all; the host holds the same per agent. 4096 stacks
     * is ten times the distinct stacks of the ingestion benchmark's app; 4 M characters keeps
     * the host's copy (frames + their JSON) to ~10-20 MB per agent. Past either bound stacks
     * travel inline. 0 turns interning off.
     */
    stackTableMaxStacks: z.number().int().min(0).max(65_536).default(4096),
    stackTableMaxChars: z.number().int().min(0).max(64_000_000).default(4_000_000),
  })
  .strict();
export type AgentOptions = z.infer<typeof AgentOptions>;

export type { HookSpec } from './agent-protocol.js';
export type AgentConfigMessage = ConfigMessage;

// The schema's output is exactly the protocol's AgentOptions: a field added on one side only
// fails to compile.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const optionsMatchProtocol: Same<AgentOptions, ProtocolAgentOptions> = true;
void optionsMatchProtocol;

export function agentConfig(catalogue: HookCatalogue, options: Partial<AgentOptions> = {}): AgentConfigMessage {
  const hooks: HookSpec[] = [];
  for (const e of catalogue.privacy) {
    for (const m of e.methods) {
      hooks.push({
        kind: 'privacy',
        className: e.class,
        method: m.name,
        overloads: m.overloads,
        ...(e.dataType ? { dataType: e.dataType } : {}),
        ...(e.when ? { when: e.when } : {}),
        ...(e.classify ? { classify: e.classify } : {}),
      });
    }
  }
  for (const e of catalogue.permissions) {
    for (const m of e.methods) {
      hooks.push({ kind: 'permission', className: e.class, method: m.name, overloads: m.overloads, permissionsArg: e.permissionsArg });
    }
  }
  for (const e of catalogue.lifecycle) {
    for (const m of e.methods) {
      hooks.push({ kind: 'lifecycle', className: e.class, method: m.name, overloads: m.overloads, state: e.state });
    }
  }
  for (const e of catalogue.tls) {
    for (const m of e.methods) {
      const action = m.action ?? e.action ?? 'return-void';
      hooks.push({ kind: 'tls', className: e.class, method: m.name, overloads: m.overloads, action });
    }
  }
  return {
    type: 'config',
    hooks,
    native: catalogue.native.map((n) => ({ dataType: n.dataType, functions: n.functions, paths: n.paths })),
    options: AgentOptions.parse(options),
  };
}

import { z } from 'zod';
import { DataTypeId } from '../catalogue/data-types.js';

/**
 * What the agent may send (agents/src/lib/protocol.ts is the agent's side). Every message is
 * validated here: the agent runs inside a hostile app's process, so its output is untrusted input.
 */

export const AgentEventDataType = z.union([
  DataTypeId,
  z.literal('permission-request'),
  z.literal('tls-bypass'),
  z.literal('lifecycle'),
]);

export const AgentEvent = z.object({
  dataType: AgentEventDataType,
  api: z.string().min(1).max(500),
  overload: z.string().max(500).optional(),
  args: z.array(z.string().max(4096)).max(64),
  ret: z.string().max(16_384).optional(),
  outcome: z.object({ kind: z.enum(['returned', 'threw']), error: z.string().max(1000).optional() }),
  tWall: z.number().finite().nonnegative(),
  monotonicNs: z.string().regex(/^\d+$/).optional(),
  thread: z.string().max(200).optional(),
  stack: z.array(z.string().max(1000)).max(200),
  permissions: z.array(z.string().max(300)).max(64).optional(),
  sampled: z.object({ count: z.number().int().positive(), windowMs: z.number().positive() }).optional(),
  lifecycle: z
    .object({ state: z.enum(['created', 'foreground', 'background']), component: z.string().max(500) })
    .optional(),
});
export type AgentEvent = z.infer<typeof AgentEvent>;

const Pid = z.number().int().nonnegative();

export const AgentMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('hello'),
    agent: z.string().max(100),
    version: z.string().max(100),
    pid: Pid,
    javaAvailable: z.boolean(),
    androidVersion: z.string().max(100).optional(),
    runtime: z.string().max(200).optional(),
  }),
  z.object({
    type: z.literal('ready'),
    pid: Pid,
    hooked: z.array(z.string().max(1000)).max(10_000),
    missing: z
      .array(z.object({ api: z.string().max(500), overload: z.string().max(500).optional(), reason: z.string().max(1000) }))
      .max(10_000),
  }),
  z.object({
    type: z.literal('events'),
    pid: Pid,
    events: z.array(z.unknown()).max(100_000),
    dropped: z.number().int().nonnegative(),
  }),
  z.object({ type: z.literal('flushed'), pid: Pid, token: z.string().max(200) }),
  z.object({ type: z.literal('problem'), pid: Pid, message: z.string().max(4000) }),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;

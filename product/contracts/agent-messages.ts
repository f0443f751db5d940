import { z } from 'zod';
import { DataTypeId } from './data-types.js';

/**
 * What the agent may send (tooling/agents/src/lib/protocol.ts is the agent's side). Every message is
 * validated here: the agent runs inside a hostile app's process, so its output is untrusted input.
 */

export const AgentEventDataType = z.union([
  DataTypeId,
  z.literal('permission-request'),
  z.literal('tls-bypass'),
  z.literal('lifecycle'),
]);

/** Bounds on a Java stack, inline or defined once (untrusted: the app can shape its own stacks). */
export const MAX_STACK_FRAMES = 200;
export const MAX_FRAME_CHARS = 1000;
const Frames = z.array(z.string().max(MAX_FRAME_CHARS)).max(MAX_STACK_FRAMES);
const StackId = z.number().int().nonnegative();

/** A stack the agent sends once (tooling/agents/src/lib/stack-interner.ts); events then carry its id. */
export const StackDefinition = z.object({ id: StackId, frames: Frames });
export type StackDefinition = z.infer<typeof StackDefinition>;

/**
 * One event. Its stack travels inline (`stack`) or as the id of a stack defined earlier on the
 * same script's channel (`stackId`): exactly one of the two.
 */
export const AgentEvent = z
  .object({
    dataType: AgentEventDataType,
    api: z.string().min(1).max(500),
    overload: z.string().max(500).optional(),
    args: z.array(z.string().max(4096)).max(64),
    ret: z.string().max(16_384).optional(),
    outcome: z.object({ kind: z.enum(['returned', 'threw']), error: z.string().max(1000).optional() }),
    tWall: z.number().finite().nonnegative(),
    monotonicNs: z.string().regex(/^\d+$/).optional(),
    thread: z.string().max(200).optional(),
    stack: Frames.optional(),
    stackId: StackId.optional(),
    permissions: z.array(z.string().max(300)).max(64).optional(),
    sampled: z.object({ count: z.number().int().positive(), windowMs: z.number().positive() }).optional(),
    lifecycle: z
      .object({ state: z.enum(['created', 'foreground', 'background']), component: z.string().max(500) })
      .optional(),
  })
  .refine((e) => (e.stack === undefined) !== (e.stackId === undefined), { message: 'expected exactly one of stack and stackId', path: ['stack'] });
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
    /** Checked one by one by the channel's StackTable, once per distinct stack. */
    stacks: z.array(z.unknown()).max(100_000).optional(),
  }),
  z.object({ type: z.literal('flushed'), pid: Pid, token: z.string().max(200) }),
  z.object({ type: z.literal('problem'), pid: Pid, message: z.string().max(4000) }),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;

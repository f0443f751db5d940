/**
 * The wire protocol between the Frida agent and the host, as plain types: the one file both
 * compile (the agent in GumJS through esbuild, the host in Node), so neither side can drift.
 * No imports and no runtime code: the agent's bundle must not pull in anything. The host
 * validates every message it receives with the zod schemas of agent-messages.ts, which are
 * checked against these types at compile time. Configuration travels host → agent as a typed
 * `config` message, never spliced into the agent's source.
 */

export type HookKind = 'privacy' | 'permission' | 'lifecycle' | 'tls';
export type TlsAction = 'return-void' | 'return-arg0' | 'return-empty-list' | 'return-true';
export type LifecycleState = 'created' | 'foreground' | 'background';

export interface HookSpec {
  kind: HookKind;
  className: string;
  method: string;
  /** Overloads the catalogue expects (parameter type names); every runtime overload is hooked. */
  overloads: string[][];
  dataType?: string;
  /** Record only when String(args[arg]) is one of `in`. */
  when?: { arg: number; in: string[] };
  /** Data type chosen by the prefix of String(args[arg]); no event when nothing matches. */
  classify?: { arg: number; prefixes: { prefix: string; dataType: string }[] };
  permissionsArg?: number;
  state?: LifecycleState;
  action?: TlsAction;
}

export interface NativeSpec {
  dataType: string;
  functions: string[];
  /** Regular expression sources matched against the path argument. */
  paths: string[];
}

export interface AgentOptions {
  tlsBypass: boolean;
  batchMaxEvents: number;
  batchFlushMs: number;
  sampleWindowMs: number;
  sampleKeepPerWindow: number;
  argMaxChars: number;
  retMaxChars: number;
  stackMaxFrames: number;
  maxQueuedEvents: number;
  /** Stack interning (stack-interner.ts): distinct stacks the agent may define; 0 sends every stack inline. */
  stackTableMaxStacks: number;
  /** ... and the sum of their frames' lengths (UTF-16 units). The host enforces the same bounds. */
  stackTableMaxChars: number;
}

export interface ConfigMessage {
  type: 'config';
  hooks: HookSpec[];
  native: NativeSpec[];
  options: AgentOptions;
}

export interface FlushRequest {
  type: 'flush';
  token: string;
}

export type HostMessage = ConfigMessage | FlushRequest;

export interface AgentEvent {
  dataType: string;
  api: string;
  overload?: string;
  args: string[];
  ret?: string;
  outcome: { kind: 'returned' | 'threw'; error?: string };
  /** Device wall clock, epoch ms. */
  tWall: number;
  /** Device monotonic clock (SystemClock.elapsedRealtimeNanos), decimal string. */
  monotonicNs?: string;
  thread?: string;
  /** Java stack, innermost first, "class.method(File:line)". */
  stack: string[];
  permissions?: string[];
  /** This event stands for `count` further calls in the window that were counted, not recorded one by one. */
  sampled?: { count: number; windowMs: number };
  lifecycle?: { state: LifecycleState; component: string };
}

/**
 * An event as it travels: its stack either inline (`stack`) or as the id of a stack defined
 * earlier on this script's channel (`stackId`), never both.
 */
export type WireEvent = Omit<AgentEvent, 'stack'> & ({ stack: string[]; stackId?: never } | { stackId: number; stack?: never });

/** A stack sent once; later events carry its id. Ids are dense from 0 and never reused. */
export interface StackDefinition {
  id: number;
  frames: string[];
}

export interface MissingHook {
  api: string;
  overload?: string;
  reason: string;
}

export type AgentMessage =
  | { type: 'hello'; agent: string; version: string; pid: number; javaAvailable: boolean; androidVersion?: string; runtime?: string }
  | { type: 'ready'; pid: number; hooked: string[]; missing: MissingHook[] }
  /** `stacks` (when present) defines the ids the events of this message use for the first time. */
  | { type: 'events'; pid: number; events: WireEvent[]; dropped: number; stacks?: StackDefinition[] }
  | { type: 'flushed'; pid: number; token: string }
  | { type: 'problem'; pid: number; message: string };

export const AGENT_NAME = 'privacy';
export const AGENT_VERSION = '1.1.0';

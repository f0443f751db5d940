import { z } from 'zod';

/**
 * The virtual device's Frida-compatible service protocol: JSON lines over TCP to device port
 * 27042 (reached with `adb forward`, like frida-server). It carries exactly the operations of
 * the frida Node API the adapter uses (../frida-api.ts). Both sides validate what they receive.
 */

export const FRIDA_DEVICE_PORT = 27042;
/** A line longer than this is a protocol error (an agent bundle is ~20 KB). */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

const Pid = z.number().int().nonnegative();
const Handle = z.number().int().positive();

export const WireRequest = z.discriminatedUnion('op', [
  z.object({ id: z.number().int(), op: z.literal('hello') }),
  z.object({ id: z.number().int(), op: z.literal('enable-spawn-gating') }),
  z.object({ id: z.number().int(), op: z.literal('disable-spawn-gating') }),
  z.object({ id: z.number().int(), op: z.literal('enumerate-pending-spawn') }),
  z.object({ id: z.number().int(), op: z.literal('spawn'), program: z.string().min(1).max(300) }),
  z.object({ id: z.number().int(), op: z.literal('resume'), pid: Pid }),
  z.object({ id: z.number().int(), op: z.literal('kill'), pid: Pid }),
  z.object({ id: z.number().int(), op: z.literal('attach'), pid: Pid }),
  z.object({ id: z.number().int(), op: z.literal('detach'), session: Handle }),
  z.object({ id: z.number().int(), op: z.literal('create-script'), session: Handle, source: z.string(), name: z.string().optional() }),
  z.object({ id: z.number().int(), op: z.literal('load-script'), script: Handle }),
  z.object({ id: z.number().int(), op: z.literal('unload-script'), script: Handle }),
  z.object({ id: z.number().int(), op: z.literal('post'), script: Handle, message: z.unknown() }),
]);
export type WireRequest = z.infer<typeof WireRequest>;

export const WireCrash = z.object({ pid: Pid, processName: z.string(), summary: z.string(), report: z.string() });

export const WireScriptMessage = z.object({
  type: z.string(),
  payload: z.unknown().optional(),
  description: z.string().optional(),
  stack: z.string().optional(),
});

export const WireResponse = z.union([
  z.object({ id: z.number().int(), ok: z.literal(true), result: z.unknown().optional() }),
  z.object({ id: z.number().int(), ok: z.literal(false), error: z.string() }),
]);
export type WireResponse = z.infer<typeof WireResponse>;

export const WireEvent = z.discriminatedUnion('event', [
  z.object({ event: z.literal('spawn-added'), pid: Pid, identifier: z.string() }),
  z.object({ event: z.literal('child-added'), pid: Pid, parentPid: Pid, identifier: z.string().nullable() }),
  z.object({ event: z.literal('process-crashed'), crash: WireCrash }),
  z.object({ event: z.literal('detached'), session: Handle, reason: z.string(), crash: WireCrash.nullable() }),
  z.object({ event: z.literal('message'), script: Handle, message: WireScriptMessage }),
  z.object({ event: z.literal('script-destroyed'), script: Handle }),
]);
export type WireEvent = z.infer<typeof WireEvent>;

export const HelloResult = z.object({ name: z.string(), version: z.string(), id: z.string() });
export const SpawnList = z.array(z.object({ pid: Pid, identifier: z.string() }));

/** Splits a byte stream into JSON lines, with a cap so a broken peer cannot exhaust memory. */
export class LineReader {
  private buffer = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    if (this.buffer.length > MAX_LINE_BYTES) throw new Error(`protocol line longer than ${MAX_LINE_BYTES} bytes`);
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (line.trim()) this.onLine(line);
      nl = this.buffer.indexOf('\n');
    }
  }
}

import type { Readable, Writable } from 'node:stream';
import type { VirtualPhoneOs } from '../os/phone-os.js';

/** The three standard streams of a running command. */
export interface ShellStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

/** State that outlives one command: what `cd`, `export` and `$?` change. */
export interface ShellSession {
  env: Map<string, string>;
  cwd: string;
  lastStatus: number;
  /** Set by `exit`: the interactive shell ends with this status. */
  exitStatus: number | undefined;
}

export interface CommandContext {
  os: VirtualPhoneOs;
  /** argv[0] as typed (e.g. "pm" or "/system/bin/pm"). */
  name: string;
  args: string[];
  streams: ShellStreams;
  /** Aborted when the adb stream closes (the host went away) or a pipeline reader quit. */
  signal: AbortSignal;
  session: ShellSession;
  out(text: string | Buffer): Promise<void>;
  err(text: string | Buffer): Promise<void>;
  /** Stdin until EOF, abort, or maxBytes read (whichever comes first). */
  readStdin(maxBytes?: number): Promise<Buffer>;
  /** Runs another command line in this session (sh -c, cmd passthroughs). */
  run(line: string): Promise<number>;
  /** Runs argv directly, without re-parsing (for `cmd package` → `pm`). */
  exec(argv: string[]): Promise<number>;
}

/** A shell command: returns its exit status. */
export type ShellCommand = (ctx: CommandContext) => Promise<number> | number;

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import type { Logger } from './logger.js';
import { silentLogger } from './logger.js';
import { ConsentryError, TimeoutError, ToolMissingError } from './errors.js';

/**
 * The one way consentry starts an external program (adb, appium, mitmdump, redis-server,
 * emulator...). Output goes to the log, every call has a timeout, and long-running children
 * are registered so that a shutdown (or an uncaught error) kills them.
 */

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  logger?: Logger;
  /** Exit codes that are not an error. Default [0]. */
  okCodes?: number[];
  /** Raw stdout (e.g. screencap PNG). */
  binary?: boolean;
  /** Cap on captured output, so a runaway child cannot exhaust memory. */
  maxOutputBytes?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBuffer: Buffer;
}

export class ProcessError extends ConsentryError {
  constructor(command: string, code: number | null, stderr: string) {
    const tail = stderr.trim().split('\n').slice(-3).join(' | ');
    super('PROCESS_FAILED', `${command} exited with ${code ?? 'a signal'}${tail ? `: ${tail}` : ''}`, {
      context: { command, exitCode: code ?? -1 },
    });
  }
}

const DEFAULT_TIMEOUT = 60_000;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

export async function runProcess(file: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const logger = options.logger ?? silentLogger();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT;
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const label = [file, ...args].join(' ');
  logger.debug({ cmd: file, args }, 'run');
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let outSize = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    outSize += chunk.length;
    if (outSize <= maxOutput) out.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();

  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  let timedOut = false;
  timer.unref();
  const exit = new Promise<number | null>((resolve, reject) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new ToolMissingError(file, `"${file}" was not found on PATH`, e));
      else reject(e);
    });
    child.once('close', (code, signal) => {
      if (signal === 'SIGKILL') timedOut = true;
      resolve(code);
    });
  });
  try {
    const code = await exit;
    if (timedOut) throw new TimeoutError(label, timeoutMs);
    const stdoutBuffer = Buffer.concat(out);
    const result: RunResult = {
      code: code ?? -1,
      stdout: options.binary ? '' : stdoutBuffer.toString('utf8'),
      stderr: Buffer.concat(err).toString('utf8'),
      stdoutBuffer,
    };
    const ok = options.okCodes ?? [0];
    if (!ok.includes(result.code)) throw new ProcessError(label, code, result.stderr || result.stdout);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly name: string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after graceMs. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const live = new Set<ManagedProcess>();
let shutdownHooked = false;

function hookShutdown(): void {
  if (shutdownHooked) return;
  shutdownHooked = true;
  process.once('exit', () => {
    for (const p of live) p.child.kill('SIGKILL');
  });
}

export interface StartOptions {
  name: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Called with each line of output (stdout and stderr). */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  stdio?: SpawnOptions['stdio'];
}

/** Starts a long-running child (a server). It is killed when consentry exits. */
export function startProcess(file: string, args: string[], options: StartOptions): ManagedProcess {
  hookShutdown();
  const logger = (options.logger ?? silentLogger()).child({ proc: options.name });
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once('close', (code) => resolve(code));
    child.once('error', (e) => {
      logger.error({ err: e }, 'failed to start');
      resolve(null);
    });
  });
  for (const stream of ['stdout', 'stderr'] as const) {
    let rest = '';
    child[stream]?.on('data', (chunk: Buffer) => {
      const text = rest + chunk.toString('utf8');
      const lines = text.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        logger.debug({ stream }, line);
        options.onLine?.(line, stream);
      }
    });
  }
  let stopping: Promise<void> | undefined;
  const managed: ManagedProcess = {
    child,
    name: options.name,
    exited,
    stop(graceMs = 5000) {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        }
        live.delete(managed);
      })();
      return stopping;
    },
  };
  live.add(managed);
  void exited.then(() => live.delete(managed));
  return managed;
}

/** Waits until `predicate` sees a matching output line, or fails after timeoutMs / on exit. */
export async function waitForLine(
  proc: ManagedProcess,
  predicate: (line: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new TimeoutError(`waiting for ${proc.name} to be ready`, timeoutMs));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (predicate(line)) {
          cleanup();
          resolve(line);
          return;
        }
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new ConsentryError('PROCESS_EXITED', `${proc.name} exited (${code}) before it was ready`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      proc.child.stdout?.off('data', onData);
      proc.child.stderr?.off('data', onData);
    };
    proc.child.stdout?.on('data', onData);
    proc.child.stderr?.on('data', onData);
    void proc.exited.then(onExit);
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop()));
}

export { once };

/**
 * Whether a process with this pid exists (signal 0 checks without signalling). EPERM means it
 * exists but belongs to another user. Used to tell files left by a killed process.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

import { PassThrough, Readable, Writable } from 'node:stream';
import type { ShellInterpreter } from '../../shell/interpreter.js';
import type { ShellSession, ShellStreams } from '../../shell/command-context.js';
import type { VirtualPhoneOs } from '../../os/phone-os.js';
import type { AdbStream } from '../stream.js';
import { encodeShellPacket, parseShellService, SHELL_ID, ShellPacketParser, type ShellRequest } from '../shell-protocol.js';
import type { ServiceHandler } from '../connection.js';

/** A writable that forwards to the ADB stream, optionally framed (v2) and with pty newlines. */
function streamWriter(stream: AdbStream, frame: (data: Buffer) => Buffer, pty: boolean): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, callback) {
      if (stream.isClosed || stream.destroyed) {
        callback();
        return;
      }
      // A pty's line discipline turns \n into \r\n (onlcr); raw mode passes bytes through.
      const data = pty ? Buffer.from(chunk.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1') : chunk;
      stream.write(frame(data), () => callback());
    },
  });
}

interface ShellIo {
  streams: ShellStreams;
  /** Input as the user typed it (for the interactive shell). */
  input: Readable;
  finish(status: number): Promise<void>;
}

/** Ends the output writers and waits until their queued data has reached the ADB stream. */
async function flush(...writers: Writable[]): Promise<void> {
  await Promise.all(
    [...new Set(writers)].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.writableFinished || w.destroyed) {
            resolve();
            return;
          }
          w.once('finish', resolve);
          w.once('close', resolve);
          w.once('error', () => resolve());
          w.end();
        }),
    ),
  );
}

function setUpIo(stream: AdbStream, request: ShellRequest): ShellIo {
  const pty = request.type === 'pty';
  if (request.protocol === 'v2') {
    const stdin = new PassThrough();
    const parser = new ShellPacketParser();
    stream.on('data', (chunk: Buffer) => {
      for (const packet of parser.push(chunk)) {
        if (packet.id === SHELL_ID.stdin) stdin.write(packet.data);
        else if (packet.id === SHELL_ID.closeStdin) stdin.end();
      }
    });
    stream.on('close', () => stdin.end());
    const stdout = streamWriter(stream, (d) => encodeShellPacket(SHELL_ID.stdout, d), pty);
    // A pty has one output channel: stderr goes to stdout, as on the device.
    const stderr = streamWriter(stream, (d) => encodeShellPacket(pty ? SHELL_ID.stdout : SHELL_ID.stderr, d), pty);
    return {
      streams: { stdin, stdout, stderr },
      input: stdin,
      finish: async (status) => {
        // The exit packet must come after every byte of output: the host stops reading at it.
        await flush(stdout, stderr);
        if (!stream.isClosed) stream.write(encodeShellPacket(SHELL_ID.exit, Buffer.from([status & 0xff])));
        stream.end();
      },
    };
  }
  // v1: one raw byte stream both ways; stderr is interleaved with stdout and the exit code is lost.
  const out = streamWriter(stream, (d) => d, pty);
  return {
    streams: { stdin: stream, stdout: out, stderr: out },
    input: stream,
    finish: async () => {
      await flush(out);
      stream.end();
    },
  };
}

/** `shell:`, `shell,v2,...:` and `exec:` (raw, no protocol) services. */
export function shellService(os: VirtualPhoneOs, interpreter: ShellInterpreter, name: string): ServiceHandler | undefined {
  let request: ShellRequest | undefined;
  if (name.startsWith('exec:')) request = { protocol: 'none', type: 'raw', term: undefined, command: name.slice(5) };
  else request = parseShellService(name);
  if (!request) return undefined;
  const req = request;
  return async (stream) => {
    const abort = new AbortController();
    stream.once('close', () => abort.abort());
    const io = setUpIo(stream, req);
    if (req.command.trim() === '') {
      // No command: an interactive shell on a pty, or (raw, e.g. `echo ls | adb shell`) sh reading stdin.
      os.recordCommand('shell', req.type === 'pty' ? '(interactive)' : '(stdin script)');
      const status = await interactive(os, interpreter, io, abort.signal, req.type === 'pty');
      await io.finish(status);
      return;
    }
    os.recordCommand(name.startsWith('exec:') ? 'exec' : 'shell', req.command);
    const status = await interpreter.runLine(req.command, io.streams, abort.signal);
    await io.finish(status);
  };
}

/**
 * An interactive `adb shell`: a prompt, echo and line editing as a pty would do them, one
 * command line at a time; Ctrl-C interrupts the running command, Ctrl-D or `exit` ends.
 */
async function interactive(os: VirtualPhoneOs, interpreter: ShellInterpreter, io: ShellIo, signal: AbortSignal, tty: boolean): Promise<number> {
  const session: ShellSession = interpreter.newSession();
  // Without a tty there is no prompt and no echo, as with `sh < script`.
  const prompt = () => (tty ? `${os.identity.device}:${session.cwd} $ ` : '');
  const write = (text: string) => (tty ? io.streams.stdout.write(text) : true);
  write(prompt());
  let line = '';
  let escape = false;
  let running: AbortController | undefined;
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let ended = false;

  io.input.on('data', (chunk: Buffer) => {
    for (const ch of chunk.toString('utf8')) {
      if (escape) {
        // Skip the rest of an escape sequence (arrow keys): ESC [ ... final letter.
        if (/[A-Za-z~]/.test(ch)) escape = false;
        continue;
      }
      if (!tty) {
        // A script: lines are queued even while a command runs.
        if (ch === '\n') {
          lines.push(line);
          line = '';
          wake?.();
        } else if (ch !== '\r') line += ch;
      } else if (ch === '\x03') {
        if (running) running.abort();
        else {
          line = '';
          write(`^C\n${prompt()}`);
        }
      } else if (running) continue;
      else if (ch === '\r' || ch === '\n') {
        write('\n');
        lines.push(line);
        line = '';
        wake?.();
      } else if (ch === '\x7f' || ch === '\b') {
        if (line.length) {
          line = line.slice(0, -1);
          write('\b \b');
        }
      } else if (ch === '\x04') {
        if (line === '') {
          ended = true;
          wake?.();
        }
      } else if (ch === '\x1b') escape = true;
      else if (ch >= ' ' || ch === '\t') {
        line += ch;
        write(ch);
      }
    }
  });
  io.input.on('end', () => {
    if (!tty && line) lines.push(line);
    ended = true;
    wake?.();
  });

  while (!signal.aborted) {
    if (lines.length === 0) {
      if (ended) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      wake = undefined;
      continue;
    }
    const next = lines.shift()!;
    if (next.trim()) {
      os.recordCommand('shell', next);
      running = new AbortController();
      const stop = () => running?.abort();
      signal.addEventListener('abort', stop, { once: true });
      const streams: ShellStreams = { stdin: Readable.from([]), stdout: io.streams.stdout, stderr: io.streams.stderr };
      await interpreter.runLine(next, streams, running.signal, session);
      signal.removeEventListener('abort', stop);
      running = undefined;
      if (session.exitStatus !== undefined) return session.exitStatus;
    }
    write(prompt());
  }
  return session.lastStatus;
}

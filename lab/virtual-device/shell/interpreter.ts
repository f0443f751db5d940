import { PassThrough, Readable, type Writable } from 'node:stream';
import { errorMessage } from '../../../product/core/errors.js';
import { FsError, normalizeDevicePath } from '../os/filesystem.js';
import type { VirtualPhoneOs } from '../os/phone-os.js';
import type { CommandContext, ShellCommand, ShellSession, ShellStreams } from './command-context.js';
import { CollectingSink, nullSink, readAll, writeTo } from './io.js';
import { expandWord, parseCommandLine, ShellSyntaxError, type Pipeline, type SimpleCommand } from './parser.js';

const BIN_DIRS = ['/system/bin/', '/system/xbin/', '/vendor/bin/', '/product/bin/', '/apex/com.android.runtime/bin/'];

/** The environment adbd gives a shell (system/core/adb/daemon/shell_service.cpp and init.environ.rc). */
function defaultEnv(): Map<string, string> {
  return new Map([
    ['PATH', '/product/bin:/apex/com.android.runtime/bin:/apex/com.android.art/bin:/system_ext/bin:/system/bin:/system/xbin:/odm/bin:/vendor/bin:/vendor/xbin'],
    ['HOME', '/'],
    ['USER', 'shell'],
    ['LOGNAME', 'shell'],
    ['SHELL', '/bin/sh'],
    ['TMPDIR', '/data/local/tmp'],
    ['HOSTNAME', 'localhost'],
    ['ANDROID_DATA', '/data'],
    ['ANDROID_ROOT', '/system'],
    ['EXTERNAL_STORAGE', '/sdcard'],
  ]);
}

/**
 * Runs command lines against a virtual phone: the device side of `adb shell` and `exec:`.
 * Every line is logged (os.recordCommand) before it runs.
 */
export class ShellInterpreter {
  constructor(
    private readonly os: VirtualPhoneOs,
    private readonly commands: ReadonlyMap<string, ShellCommand>,
  ) {}

  newSession(): ShellSession {
    const env = defaultEnv();
    env.set('HOSTNAME', this.os.identity.device);
    return { env, cwd: '/', lastStatus: 0, exitStatus: undefined };
  }

  has(name: string): boolean {
    return this.commands.has(commandName(name));
  }

  async runLine(line: string, streams: ShellStreams, signal: AbortSignal, session = this.newSession()): Promise<number> {
    let list;
    try {
      list = parseCommandLine(line);
    } catch (err) {
      if (!(err instanceof ShellSyntaxError)) throw err;
      await writeTo(streams.stderr, `/system/bin/sh: ${err.message}\n`, signal);
      session.lastStatus = 1;
      return 1;
    }
    for (const item of list.items) {
      if (signal.aborted || session.exitStatus !== undefined) break;
      if (item.connector === '&&' && session.lastStatus !== 0) continue;
      if (item.connector === '||' && session.lastStatus === 0) continue;
      if (item.background) {
        void this.runPipeline(item.pipeline, streams, signal, session);
        session.lastStatus = 0;
        continue;
      }
      session.lastStatus = await this.runPipeline(item.pipeline, streams, signal, session);
    }
    return session.exitStatus ?? session.lastStatus;
  }

  private async runPipeline(pipeline: Pipeline, streams: ShellStreams, signal: AbortSignal, session: ShellSession): Promise<number> {
    const n = pipeline.commands.length;
    const pipes = Array.from({ length: n - 1 }, () => new PassThrough());
    const stages = pipeline.commands.map(() => new AbortController());
    const onAbort = () => stages.forEach((s) => s.abort());
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const runs = pipeline.commands.map(async (command, i) => {
        const stageStreams: ShellStreams = {
          stdin: i === 0 ? streams.stdin : pipes[i - 1]!,
          stdout: i === n - 1 ? streams.stdout : pipes[i]!,
          stderr: streams.stderr,
        };
        const status = await this.runSimple(command, stageStreams, stages[i]!.signal, session);
        if (i < n - 1) pipes[i]!.end();
        if (i > 0) {
          // The reader quit (e.g. head): upstream writers stop, like SIGPIPE.
          for (let up = 0; up < i; up += 1) stages[up]!.abort();
          pipes[i - 1]!.resume();
        }
        return status;
      });
      const statuses = await Promise.all(runs);
      const status = statuses[n - 1] ?? 0;
      return pipeline.negate ? (status === 0 ? 1 : 0) : status;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async runSimple(command: SimpleCommand, streams: ShellStreams, signal: AbortSignal, session: ShellSession): Promise<number> {
    const lookup = (name: string) => (name === '?' ? String(session.lastStatus) : (session.env.get(name) ?? this.dynamicVariable(name)));
    const words = command.words.map((w) => expandWord(w, lookup));
    // Leading NAME=value words: with no command they set shell variables.
    let start = 0;
    const assignments: [string, string][] = [];
    while (start < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[start]!)) {
      const w = words[start]!;
      assignments.push([w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]);
      start += 1;
    }
    const argv = words.slice(start);
    if (argv.length === 0) for (const [k, v] of assignments) session.env.set(k, v);

    let { stdin, stdout, stderr } = streams;
    const fileSinks: { path: string; sink: CollectingSink; append: boolean }[] = [];
    for (const r of command.redirects) {
      if (r.kind === 'dup') {
        if (r.fd === 2) stderr = r.to === 1 ? stdout : stderr;
        else stdout = r.to === 2 ? stderr : stdout;
        continue;
      }
      const path = expandWord(r.target, lookup);
      if (r.fd === 0) {
        try {
          stdin = Readable.from([this.os.fs.readFile(normalizeDevicePath(path, session.cwd))]);
        } catch (err) {
          await writeTo(stderr, `/system/bin/sh: can't open ${path}: ${err instanceof FsError ? err.reason : errorMessage(err)}\n`, signal);
          return 1;
        }
        continue;
      }
      let sink: Writable;
      if (path === '/dev/null') sink = nullSink();
      else {
        const collecting = new CollectingSink();
        fileSinks.push({ path: normalizeDevicePath(path, session.cwd), sink: collecting, append: r.append });
        sink = collecting;
      }
      if (r.fd === 1) stdout = sink;
      else stderr = sink;
    }

    let status = 0;
    if (argv.length > 0) status = await this.invoke(argv, { stdin, stdout, stderr }, signal, session);
    for (const f of fileSinks) {
      try {
        if (f.append) this.os.fs.appendFile(f.path, f.sink.buffer);
        else this.os.fs.writeFile(f.path, f.sink.buffer);
      } catch (err) {
        await writeTo(streams.stderr, `/system/bin/sh: can't create ${f.path}: ${err instanceof FsError ? err.reason : errorMessage(err)}\n`, signal);
        status = 1;
      }
    }
    return status;
  }

  /**
   * mksh's variables computed at each expansion: $EPOCHREALTIME is the device clock as
   * "seconds.microseconds" (scenarios read the device time with it; our clock has ms precision).
   */
  private dynamicVariable(name: string): string | undefined {
    if (name !== 'EPOCHREALTIME') return undefined;
    const ms = this.os.now();
    return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}000`;
  }

  async invoke(argv: string[], streams: ShellStreams, signal: AbortSignal, session: ShellSession): Promise<number> {
    const name = argv[0]!;
    const handler = this.commands.get(commandName(name));
    if (!handler) {
      await writeTo(streams.stderr, `/system/bin/sh: ${name}: not found\n`, signal);
      return 127;
    }
    const ctx: CommandContext = {
      os: this.os,
      name,
      args: argv.slice(1),
      streams,
      signal,
      session,
      out: (text) => writeTo(streams.stdout, text, signal),
      err: (text) => writeTo(streams.stderr, text, signal),
      readStdin: (maxBytes) => readAll(streams.stdin, signal, maxBytes),
      run: (line) => this.runLine(line, streams, signal, session),
      exec: (next) => this.invoke(next, streams, signal, session),
    };
    try {
      return await handler(ctx);
    } catch (err) {
      await ctx.err(`${name}: ${errorMessage(err)}\n`);
      return 1;
    }
  }
}

function commandName(name: string): string {
  for (const dir of BIN_DIRS) if (name.startsWith(dir)) return name.slice(dir.length);
  return name;
}

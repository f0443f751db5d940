import type { Duplex } from 'node:stream';
import type { Logger } from '../../../product/core/logger.js';
import { silentLogger } from '../../../product/core/logger.js';
import {
  FRIDA_DEVICE_PORT,
  LineReader,
  WireRequest,
  type WireEvent,
} from '../../../product/contracts/virtual-frida-wire.js';
import type { PhoneOs } from '../contracts.js';
import type { AgentScript } from './agent-script.js';
import { VIRTUAL_FRIDA_VERSION, type PendingSpawn, type VirtualJavaRuntime } from './runtime.js';

/**
 * The virtual handset's frida-server: listens on device port 27042 (PhoneOs.listen) and serves
 * the JSON-lines protocol of ../../instrumentation/virtual-frida/wire.ts over the runtime.
 * Like frida-server, spawn gating belongs to the clients that enabled it: it stays on while one
 * of them is connected, and when the last goes away gating ends and every process left suspended
 * is resumed. A process a client spawned and never resumed is resumed when that client goes, so
 * a harness that dies mid-run never leaves an app frozen on the device.
 */

export interface FridaServiceDeps {
  os: Pick<PhoneOs, 'listen' | 'identity'>;
  runtime: VirtualJavaRuntime;
  /** Starts an app (`Device.spawn`): the runtime holds its process at processStarting. */
  launch(identifier: string): Promise<void>;
  kill(pid: number): void;
  port?: number;
  spawnTimeoutMs?: number;
  logger?: Logger;
}

/** What the connections of one service share: who gates spawns, and who spawned which pid. */
interface GatingState {
  gaters: Set<Connection>;
  spawnedBy: Map<number, Connection>;
}

export function startFridaService(deps: FridaServiceDeps): () => void {
  const logger = deps.logger ?? silentLogger();
  const connections = new Set<Connection>();
  const gating: GatingState = { gaters: new Set(), spawnedBy: new Map() };
  const onSpawn = (spawn: PendingSpawn) => {
    for (const c of connections) c.send({ event: 'spawn-added', pid: spawn.pid, identifier: spawn.identifier });
  };
  const onDied = (d: { pid: number; processName: string; reason: string; crashed: boolean }) => {
    gating.spawnedBy.delete(d.pid);
    for (const c of connections) c.processDied(d.pid, d.processName, d.reason, d.crashed);
  };
  deps.runtime.on('spawn-added', onSpawn);
  deps.runtime.on('process-died', onDied);
  const stopListening = deps.os.listen(deps.port ?? FRIDA_DEVICE_PORT, (socket) => {
    const c = new Connection(socket, deps, logger, gating, () => connections.delete(c));
    connections.add(c);
  });
  return () => {
    stopListening();
    deps.runtime.off('spawn-added', onSpawn);
    deps.runtime.off('process-died', onDied);
    for (const c of [...connections]) c.close();
  };
}

interface SessionState {
  pid: number;
  scripts: Set<number>;
}

class Connection {
  private readonly sessions = new Map<number, SessionState>();
  private readonly scripts = new Map<number, { session: number; script: AgentScript }>();
  private nextHandle = 1;
  private closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly deps: FridaServiceDeps,
    private readonly logger: Logger,
    private readonly gating: GatingState,
    private readonly onClose: () => void,
  ) {
    const reader = new LineReader((line) => void this.request(line));
    socket.on('data', (chunk: Buffer) => {
      try {
        reader.push(chunk);
      } catch (error) {
        this.logger.warn({ err: error }, 'frida service: bad client stream');
        this.close();
      }
    });
    socket.on('close', () => this.close());
    socket.on('error', () => this.close());
  }

  send(message: WireEvent | { id: number; ok: boolean; result?: unknown; error?: string }): void {
    if (!this.closed) this.socket.write(`${JSON.stringify(message)}\n`);
  }

  processDied(pid: number, processName: string, reason: string, crashed: boolean): void {
    const crash = crashed ? { pid, processName, summary: reason, report: reason } : null;
    if (crash) this.send({ event: 'process-crashed', crash });
    for (const [handle, session] of [...this.sessions]) {
      if (session.pid !== pid) continue;
      // Detached first: a client then knows its scripts went with the process, not on their own.
      this.send({ event: 'detached', session: handle, reason: 'process-terminated', crash });
      this.dropSession(handle, false);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const handle of [...this.sessions.keys()]) this.dropSession(handle, true);
    const { runtime } = this.deps;
    for (const [pid, owner] of [...this.gating.spawnedBy]) {
      if (owner !== this) continue;
      this.gating.spawnedBy.delete(pid);
      runtime.resume(pid);
    }
    this.stopGating();
    this.socket.destroy();
    this.onClose();
  }

  /** This client no longer gates; the last one to stop lets every unclaimed process run. */
  private stopGating(): void {
    if (!this.gating.gaters.delete(this) || this.gating.gaters.size > 0) return;
    const { runtime } = this.deps;
    runtime.disableSpawnGating();
    for (const p of runtime.pendingSpawns()) {
      if (!this.gating.spawnedBy.has(p.pid)) runtime.resume(p.pid);
    }
  }

  private async request(line: string): Promise<void> {
    let id = -1;
    try {
      const raw = JSON.parse(line) as { id?: unknown };
      if (typeof raw.id === 'number') id = raw.id;
      const req = WireRequest.parse(raw);
      const result = await this.handle(req);
      this.send({ id, ok: true, ...(result === undefined ? {} : { result }) });
    } catch (error) {
      this.send({ id, ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  private async handle(req: WireRequest): Promise<unknown> {
    const { runtime } = this.deps;
    switch (req.op) {
      case 'hello':
        return { name: `virtual ${this.deps.os.identity.model}`, version: VIRTUAL_FRIDA_VERSION, id: this.deps.os.identity.serial };
      case 'enable-spawn-gating':
        this.gating.gaters.add(this);
        runtime.enableSpawnGating();
        return undefined;
      case 'disable-spawn-gating':
        this.stopGating();
        return undefined;
      case 'enumerate-pending-spawn':
        return runtime.pendingSpawns();
      case 'spawn': {
        const started = runtime.expectSpawn(req.program, this.deps.spawnTimeoutMs ?? 30_000);
        // launch() settles only once the process runs, i.e. after our client resumes it.
        this.deps.launch(req.program).catch((error: unknown) => this.logger.warn({ err: error, program: req.program }, 'frida service: launch failed'));
        const pid = await started;
        if (this.closed) runtime.resume(pid);
        else this.gating.spawnedBy.set(pid, this);
        return pid;
      }
      case 'resume':
        this.gating.spawnedBy.delete(req.pid);
        if (!runtime.resume(req.pid)) throw new Error(`unable to find process with pid ${req.pid} awaiting resume`);
        return undefined;
      case 'kill':
        this.deps.kill(req.pid);
        return undefined;
      case 'attach': {
        const handle = this.nextHandle++;
        this.sessions.set(handle, { pid: req.pid, scripts: new Set() });
        return { session: handle, pid: req.pid };
      }
      case 'detach':
        if (this.dropSession(req.session, true)) this.send({ event: 'detached', session: req.session, reason: 'application-requested', crash: null });
        return undefined;
      case 'create-script': {
        const session = this.sessions.get(req.session);
        if (!session) throw new Error('session is gone');
        const handle = this.nextHandle++;
        const script = runtime.createScript(session.pid, req.source, (message) => this.send({ event: 'message', script: handle, message }));
        session.scripts.add(handle);
        this.scripts.set(handle, { session: req.session, script });
        return { script: handle };
      }
      case 'load-script':
        this.scriptOf(req.script).load();
        return undefined;
      case 'unload-script': {
        const entry = this.scripts.get(req.script);
        if (!entry) throw new Error('script is destroyed');
        this.destroyScript(req.script);
        return undefined;
      }
      case 'post':
        this.scriptOf(req.script).post(req.message);
        return undefined;
    }
  }

  private scriptOf(handle: number): AgentScript {
    const entry = this.scripts.get(handle);
    if (!entry) throw new Error('script is destroyed');
    return entry.script;
  }

  private destroyScript(handle: number): void {
    const entry = this.scripts.get(handle);
    if (!entry) return;
    this.scripts.delete(handle);
    const session = this.sessions.get(entry.session);
    session?.scripts.delete(handle);
    if (session) this.deps.runtime.destroyScript(session.pid, entry.script);
    else entry.script.unload();
    this.send({ event: 'script-destroyed', script: handle });
  }

  private dropSession(handle: number, unloadScripts: boolean): boolean {
    const session = this.sessions.get(handle);
    if (!session) return false;
    for (const s of [...session.scripts]) {
      if (unloadScripts) this.destroyScript(s);
      else {
        this.scripts.delete(s);
        this.send({ event: 'script-destroyed', script: s });
      }
    }
    this.sessions.delete(handle);
    return true;
  }
}

import { ConsentryError, errorMessage } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { loadSdkCatalogue, type SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { agentConfig, AgentOptions } from '../../contracts/agent-config.js';
import { AgentMessage } from '../../contracts/agent-messages.js';
import { AgentEventRecorder } from './event-recorder.js';
import type { FridaApi, FridaDevice, FridaMessage, FridaScript, FridaSession } from './frida-api.js';
import { loadHookCatalogue, type HookCatalogue } from '../../contracts/hook-catalogue.js';
import type { InstrumentationPort, InstrumentationTarget, InstrumentedApp } from './port.js';
import type { ErrorCode } from '../../core/error-codes.js';

/**
 * The Frida adapter. Per app: enable spawn gating, spawn the package, attach, load the agent,
 * post its configuration, wait for `ready` (hooks in), resume — so hooks precede
 * Application.onCreate. Other processes of the app (`:push`, `:remote`, a relaunch by the
 * scenario or by the system) arrive through spawn gating (spawn-added) or child gating
 * (child-added) and are instrumented the same way; unrelated spawns are resumed at once.
 * Agent or process death is recorded in the bundle, never swallowed.
 *
 * Nothing here has run against a real phone in this project: the frida binding cannot load on
 * the build machine. It is exercised against the virtual device through the same API.
 */

export type FridaDeviceLocator = { kind: 'usb' } | { kind: 'remote'; address: string };

export interface FridaInstrumentationOptions {
  frida: FridaApi;
  device: FridaDeviceLocator;
  /** The agent bundle's source (agent-bundle.ts readAgentBundle). */
  agentSource: string;
  catalogue?: HookCatalogue;
  sdks?: SdkCatalogue;
  agentOptions?: Partial<AgentOptions>;
  readyTimeoutMs?: number;
  logger?: Logger;
}

export class InstrumentationError extends ConsentryError {
  constructor(code: ErrorCode, message: string, context: Record<string, string | number> = {}, cause?: unknown) {
    super(code, message, { cause, retryable: true, context });
  }
}

export class FridaInstrumentation implements InstrumentationPort {
  readonly id = 'frida';

  constructor(private readonly options: FridaInstrumentationOptions) {}

  async start(target: InstrumentationTarget): Promise<InstrumentedApp> {
    const { frida, device: locator } = this.options;
    let device: FridaDevice;
    try {
      device =
        locator.kind === 'usb'
          ? await frida.getUsbDevice({ timeout: 10_000 })
          : await frida.getDeviceManager().addRemoteDevice(locator.address);
    } catch (cause) {
      throw new InstrumentationError('FRIDA_DEVICE_UNREACHABLE', `cannot reach frida on the device: ${errorMessage(cause)}`, {}, cause);
    }
    const app = new FridaApp(device, target, {
      catalogue: this.options.catalogue ?? loadHookCatalogue(),
      sdks: this.options.sdks ?? loadSdkCatalogue(),
      agentSource: this.options.agentSource,
      agentOptions: this.options.agentOptions ?? {},
      readyTimeoutMs: this.options.readyTimeoutMs ?? 20_000,
      logger: (target.logger ?? this.options.logger ?? silentLogger()).child({ component: 'frida', package: target.packageName }),
    });
    await app.begin();
    return app;
  }
}

interface AppSettings {
  catalogue: HookCatalogue;
  sdks: SdkCatalogue;
  agentSource: string;
  agentOptions: Partial<AgentOptions>;
  readyTimeoutMs: number;
  logger: Logger;
}

interface Attached {
  pid: number;
  process: string;
  session: FridaSession;
  script: FridaScript;
  flushWaiters: Map<string, () => void>;
}

class FridaApp implements InstrumentedApp {
  private readonly attached = new Map<number, Attached>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Pids we are killing or detaching on purpose: their detach is not a death. */
  private readonly leaving = new Set<number>();
  private readonly recorder: AgentEventRecorder;
  private readonly problems: string[] = [];
  private stopping = false;
  private died = false;
  private tokens = 0;
  private lifecycleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly device: FridaDevice,
    private readonly target: InstrumentationTarget,
    private readonly settings: AppSettings,
  ) {
    // The bounds the agent is told (agentConfig) are the bounds its channel's table enforces.
    const options = AgentOptions.parse(settings.agentOptions);
    this.recorder = new AgentEventRecorder({
      sink: target.sink,
      packageName: target.packageName,
      sdks: settings.sdks,
      logger: settings.logger,
      stackLimits: { maxStacks: options.stackTableMaxStacks, maxChars: options.stackTableMaxChars },
    });
  }

  get pids(): number[] {
    return [...this.attached.keys()];
  }

  private ours(identifier: string | null | undefined): identifier is string {
    const pkg = this.target.packageName;
    return !!identifier && (identifier === pkg || identifier.startsWith(`${pkg}:`));
  }

  private readonly onSpawn = (spawn: { pid: number; identifier: string }) => {
    if (!this.ours(spawn.identifier) || this.stopping) {
      // Spawn gating holds every new process on the device: never keep others waiting.
      this.device.resume(spawn.pid).catch(() => undefined);
      return;
    }
    void this.instrumentAndResume(spawn.pid, spawn.identifier);
  };

  private readonly onChild = (child: { pid: number; identifier: string | null }) => {
    if (!this.ours(child.identifier) || this.stopping) {
      this.device.resume(child.pid).catch(() => undefined);
      return;
    }
    void this.instrumentAndResume(child.pid, child.identifier);
  };

  private lostConnection = false;
  private readonly onLost = () => {
    // One loss of the connection detaches every session too: record it once.
    if (this.lostConnection) return;
    this.lostConnection = true;
    this.instrumentationDied('the connection to frida on the device was lost');
  };

  async begin(): Promise<void> {
    this.device.spawnAdded.connect(this.onSpawn);
    this.device.childAdded.connect(this.onChild);
    this.device.lost.connect(this.onLost);
    await this.device.enableSpawnGating();
    // Processes caught before we listened are still waiting.
    for (const s of await this.device.enumeratePendingSpawn()) this.onSpawn(s);
    this.lifecycleTimer = setInterval(() => this.recorder.flushLifecycle(false), 500);
    this.lifecycleTimer.unref();
  }

  async launch(): Promise<number> {
    let pid: number;
    try {
      pid = await this.device.spawn(this.target.packageName);
    } catch (cause) {
      throw new InstrumentationError('FRIDA_SPAWN_FAILED', `cannot spawn ${this.target.packageName}: ${errorMessage(cause)}`, { package: this.target.packageName }, cause);
    }
    await this.instrumentAndResume(pid, this.target.packageName, true);
    return pid;
  }

  async relaunch(): Promise<number> {
    for (const pid of this.pids) {
      this.leaving.add(pid);
      await this.device.kill(pid).catch((e: unknown) => this.settings.logger.warn({ err: e, pid }, 'kill failed'));
    }
    return this.launch();
  }

  async flush(timeoutMs = 5000): Promise<void> {
    await Promise.all(
      [...this.attached.values()].map(
        (a) =>
          new Promise<void>((resolve) => {
            const token = `f${++this.tokens}`;
            const timer = setTimeout(() => {
              a.flushWaiters.delete(token);
              resolve();
            }, timeoutMs);
            a.flushWaiters.set(token, () => {
              clearTimeout(timer);
              resolve();
            });
            a.script.post({ type: 'flush', token });
          }),
      ),
    );
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    await Promise.allSettled(this.inFlight.values());
    await this.flush().catch(() => undefined);
    this.stopping = true;
    if (this.lifecycleTimer) clearInterval(this.lifecycleTimer);
    this.device.spawnAdded.disconnect(this.onSpawn);
    this.device.childAdded.disconnect(this.onChild);
    this.device.lost.disconnect(this.onLost);
    for (const a of this.attached.values()) {
      this.leaving.add(a.pid);
      await a.script.unload().catch(() => undefined);
      await a.session.detach().catch(() => undefined);
    }
    this.attached.clear();
    await this.device.disableSpawnGating().catch(() => undefined);
    this.recorder.flushLifecycle(true);
    const notes = [...this.problems, ...this.recorder.problems()];
    const run = this.target.sink.run;
    this.target.sink.updateRun({
      coverage: {
        ...run.coverage,
        instrumentation: this.died ? 'died' : (run.coverage.instrumentation ?? 'active'),
        ...(notes.length ? { instrumentationNote: notes.join('; ').slice(0, 2000) } : {}),
      },
    });
  }

  private instrumentAndResume(pid: number, processName: string, rethrow = false): Promise<void> {
    const existing = this.inFlight.get(pid);
    if (existing || this.attached.has(pid)) return existing ?? Promise.resolve();
    const work = (async () => {
      try {
        await this.instrument(pid, processName);
      } catch (error) {
        this.problems.push(`process ${processName} (${pid}) ran without hooks: ${errorMessage(error)}`);
        this.settings.logger.error({ err: error, pid }, 'instrumentation failed');
        this.target.sink.addMarker({
          t: Date.now(),
          kind: 'instrumentation.died',
          label: `could not instrument ${processName}: ${errorMessage(error)}`.slice(0, 2000),
          data: { pid, process: processName, source: 'instrumentation' },
        });
        this.died = true;
        if (rethrow) throw error;
      } finally {
        // Resume even when instrumentation failed: a process left suspended hangs the app.
        await this.device.resume(pid).catch(() => undefined);
        this.inFlight.delete(pid);
      }
    })();
    this.inFlight.set(pid, work);
    return work;
  }

  private async instrument(pid: number, processName: string): Promise<void> {
    const { logger } = this.settings;
    const session = await this.device.attach(pid);
    const script = await session.createScript(this.settings.agentSource, { name: 'consentry-privacy' });
    const attached: Attached = { pid, process: processName, session, script, flushWaiters: new Map() };
    // Stack ids are this script's: a relaunched process (even with the same pid) starts afresh.
    const channel = this.recorder.openChannel(pid, processName);
    let ready: ((m: Extract<AgentMessage, { type: 'ready' }>) => void) | undefined;
    const readyPromise = new Promise<Extract<AgentMessage, { type: 'ready' }>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new InstrumentationError('AGENT_NOT_READY', `the agent in ${processName} did not report ready within ${this.settings.readyTimeoutMs} ms`, { pid })),
        this.settings.readyTimeoutMs,
      );
      ready = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
    script.message.connect((message: FridaMessage) => {
      if (message.type === 'error') {
        const text = `agent error in ${processName}: ${message.description ?? 'unknown'}`;
        logger.warn({ pid, stack: message.stack }, text);
        this.problems.push(text.slice(0, 300));
        this.target.sink.addMarker({ t: Date.now(), kind: 'note', label: text.slice(0, 2000), data: { pid, source: 'instrumentation' } });
        return;
      }
      const parsed = AgentMessage.safeParse(message.payload);
      if (!parsed.success) {
        logger.warn({ pid, issue: parsed.error.issues[0] }, 'invalid agent message; skipped');
        return;
      }
      const m = parsed.data;
      if (m.type === 'events') channel.receive(m);
      else if (m.type === 'ready') ready?.(m);
      else if (m.type === 'flushed') attached.flushWaiters.get(m.token)?.();
      else if (m.type === 'problem') logger.warn({ pid }, `agent: ${m.message}`);
    });
    session.detached.connect((reason, crash) => this.detached(attached, reason, crash));
    script.destroyed.connect(() => {
      // A script also goes when its process does; frida may say so before the session's
      // detached signal, so judge a moment later.
      setTimeout(() => {
        if (!this.stopping && !this.leaving.has(pid) && !session.isDetached() && this.attached.has(pid)) {
          this.instrumentationDied(`the agent in ${processName} was unloaded`);
        }
      }, 1000).unref();
    });
    await script.load();
    script.post(agentConfig(this.settings.catalogue, this.settings.agentOptions));
    const report = await readyPromise;
    this.attached.set(pid, attached);
    this.target.sink.addMarker({
      t: Date.now(),
      kind: 'instrumentation.attached',
      label: `hooks in ${processName}: ${report.hooked.length} hooked, ${report.missing.length} catalogue entries not present`,
      data: { pid, process: processName, hooked: report.hooked.length, missing: report.missing.length, source: 'instrumentation' },
    });
    const run = this.target.sink.run;
    if (!this.died && run.coverage.instrumentation !== 'active') {
      this.target.sink.updateRun({ coverage: { ...run.coverage, instrumentation: 'active' } });
    }
    logger.info({ pid, hooked: report.hooked.length, missing: report.missing.length }, 'agent ready');
  }

  private detached(a: Attached, reason: string, crash: { summary: string } | null): void {
    this.attached.delete(a.pid);
    for (const w of a.flushWaiters.values()) w();
    if (this.stopping || this.leaving.delete(a.pid)) return;
    if (reason === 'process-terminated' || reason === 'process-replaced') {
      // The app's process ended (it exited or crashed); the instrumentation itself is fine.
      this.target.sink.addMarker({
        t: Date.now(),
        kind: crash ? 'app.crash' : 'app.exit',
        label: crash ? `${a.process} crashed: ${crash.summary}`.slice(0, 2000) : `${a.process} exited`,
        data: { pid: a.pid, process: a.process, source: 'instrumentation' },
      });
      return;
    }
    if (reason === 'connection-terminated' || reason === 'device-lost') this.onLost();
    else this.instrumentationDied(`lost ${a.process} (${reason})`);
  }

  private instrumentationDied(reason: string): void {
    if (this.stopping) return;
    this.died = true;
    this.problems.push(reason);
    this.target.sink.addMarker({ t: Date.now(), kind: 'instrumentation.died', label: reason.slice(0, 2000), data: { source: 'instrumentation' } });
    const run = this.target.sink.run;
    this.target.sink.updateRun({ coverage: { ...run.coverage, instrumentation: 'died', instrumentationNote: reason.slice(0, 2000) } });
  }
}

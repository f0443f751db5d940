import type { BundleWriter } from '../evidence/bundle/writer.js';
import type { DeviceIdentifiers, FindingsDoc } from '../contracts/bundle-schema.js';
import type { DeviceLease } from '../capture/devices/index.js';

/**
 * What the pipeline needs from each stage. The stages' own modules are adapted to these in
 * stages.ts; tests may pass their own. The pipeline never learns whether a device is a phone,
 * an emulator or the virtual device: it sees a serial, a profile id and these calls.
 */
export interface IntakeResult {
  packageName: string;
  versionName?: string;
  versionCode?: number;
  label?: string;
  apkSha256: string;
  /** Files to install, base first (splits after). */
  installFiles: string[];
  /** `consentry inspect --json` of the app, stored in the bundle as static.json. */
  staticFacts: unknown;
}

export interface AppIntake {
  open(path: string): Promise<IntakeResult>;
}

export interface LeasedDevice {
  serial: string;
  profileId: string;
  model?: string;
  apiLevel?: number;
  abi?: string;
  /** host - device clock, ms. */
  clockOffsetMs: number;
  /** Identifiers the profile knows for this device (others come from the agent). */
  identifiers: DeviceIdentifiers;
  /** Versions of the tools on the way to this device (adb...). */
  tools: Record<string, string>;
}

export interface DeviceSession {
  device: LeasedDevice;
  /** The pool's lease (adb device handle, profile, facts) for the stages that drive the device. */
  lease: DeviceLease;
  /** Rejects when the device is lost mid-run. */
  lost: Promise<never>;
  /** Proxy through adb reverse + global proxy, capture CA, frida-server: everything journaled. */
  prepare(options: { proxyPort: number; caPem: string; caSha256: string }): Promise<void>;
  install(files: string[], packageName: string): Promise<void>;
  /** Undoes what prepare/install did (app removed, proxy unset), best effort, never throws. */
  teardown(packageName: string): Promise<string[]>;
  release(outcome: { ok: boolean; interrupted?: boolean }): Promise<void>;
}

export interface DeviceStage {
  lease(request: { serial?: string; profile?: string }, signal: AbortSignal): Promise<DeviceSession>;
}

export interface CaptureSession {
  port: number;
  /** How flows are attributed (adapter id and version) for run.json tools. */
  tools: Record<string, string>;
  stop(): Promise<void>;
}

export interface TrafficStage {
  ca(): Promise<{ pem: string; sha256: string }>;
  /**
   * Begins capture for a run: the proxy's port at once (the device can be pointed at it while the
   * proxy starts), and the running capture once it listens.
   */
  start(options: { writer: BundleWriter; appPackage: string; identifiers: () => DeviceIdentifiers }): Promise<{ port: number; ready: Promise<CaptureSession> }>;
  /** Re-scans every flow of a finished bundle with the final identifier set. */
  rescan(bundleDir: string, identifiers: DeviceIdentifiers): Promise<void>;
}

export interface InstrumentationSession {
  /** Identifier values the agent saw returned (IMEI, Android ID...), to look for in traffic. */
  observedIdentifiers(): DeviceIdentifiers;
  tools: Record<string, string>;
  stop(): Promise<void>;
}

export interface InstrumentationStage {
  /** Arms instrumentation for `packageName` (spawn gating) before the scenario launches it. */
  start(session: DeviceSession, packageName: string, writer: BundleWriter): Promise<InstrumentationSession | undefined>;
}

export interface LogcatSession {
  stop(): Promise<void>;
}

export interface LogStage {
  start(session: DeviceSession, packageName: string, writer: BundleWriter): Promise<LogcatSession>;
}

export interface ScenarioProgress {
  onStep?(index: number, label: string): void;
}

export interface ScenarioStage {
  tools(): Record<string, string>;
  play(
    session: DeviceSession,
    options: { packageName: string; installFiles: string[]; scenario: string; writer: BundleWriter; observeScale: number; signal: AbortSignal; progress?: ScenarioProgress },
  ): Promise<void>;
}

export interface AnalysisStage {
  /** Declarations from the policy and/or declared list, as stored in declarations.json. */
  declarations(options: { policy?: string; declared?: string }): Promise<unknown>;
  analyze(bundleDir: string, options: { ruleSet?: string }): Promise<FindingsDoc>;
}

export interface ReportStage {
  write(bundleDir: string, formats: string[]): Promise<Record<string, string>>;
}

export interface PipelineStages {
  intake: AppIntake;
  devices: DeviceStage;
  traffic: TrafficStage;
  instrumentation: InstrumentationStage;
  logs: LogStage;
  scenarios: ScenarioStage;
  analysis: AnalysisStage;
  reports: ReportStage;
}

/**
 * `am instrument` targets. A real device runs the test APK's runner in the target's process;
 * here a runner is a registered start function (the UiAutomator2 server factory registers
 * io.appium.uiautomator2.server.test/androidx.test.runner.AndroidJUnitRunner).
 */

export interface InstrumentationContext {
  component: string;
  /** `-e key value` pairs. */
  args: Record<string, string>;
  /** Pid of the process the runner lives in (named after the target package, as `ps` shows). */
  pid: number;
  /** Aborted when the `am instrument` shell goes away or the target is force-stopped. */
  signal: AbortSignal;
  /** Writes a line to the `am instrument` output (INSTRUMENTATION_STATUS...). */
  output(line: string): void;
}

export interface RunningInstrumentation {
  /** Called on force-stop or when the shell that started it closes. */
  stop(): Promise<void> | void;
  /** Resolves when the runner finishes on its own (tests done); undefined = runs until stopped. */
  finished?: Promise<void>;
}

export interface InstrumentationDefinition {
  /** Package whose process hosts the runner (android:targetPackage). */
  targetPackage: string;
  /** The test package's label shown by `pm list instrumentation`. */
  start(context: InstrumentationContext): Promise<RunningInstrumentation>;
}

export function parseComponent(component: string): { packageName: string; className: string } | undefined {
  const m = /^([A-Za-z][\w.]*)\/(\.?[A-Za-z_$][\w.$]*)$/.exec(component);
  if (!m) return undefined;
  const packageName = m[1]!;
  const cls = m[2]!;
  return { packageName, className: cls.startsWith('.') ? packageName + cls : cls };
}

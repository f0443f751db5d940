import type { JavaBridge, JavaWrapper } from './java-bridge.js';

/**
 * Who is calling: the Java stack, the thread, and the device's monotonic clock. The framework
 * classes are looked up once (Java.use is costly) and only touched for calls that are recorded,
 * never for calls that a storm only counts.
 */
export class JavaContext {
  private readonly log: JavaWrapper;
  private readonly exception: JavaWrapper;
  private readonly thread: JavaWrapper;
  private readonly clock: JavaWrapper | undefined;

  constructor(
    java: JavaBridge,
    private readonly maxFrames: number,
  ) {
    this.log = java.use('android.util.Log');
    this.exception = java.use('java.lang.Exception');
    this.thread = java.use('java.lang.Thread');
    try {
      this.clock = java.use('android.os.SystemClock');
    } catch {
      this.clock = undefined;
    }
  }

  /** Innermost first, "class.method(File:line)", without the "java.lang.Exception" header. */
  stack(): string[] {
    try {
      const text = String(this.log.getStackTraceString(this.exception.$new()));
      const frames: string[] = [];
      for (const line of text.split('\n')) {
        const trimmed = line.trim();
        if (trimmed.startsWith('at ')) frames.push(trimmed.slice(3));
        if (frames.length >= this.maxFrames) break;
      }
      return frames;
    } catch {
      return [];
    }
  }

  threadName(): string | undefined {
    try {
      return String(this.thread.currentThread().getName());
    } catch {
      return undefined;
    }
  }

  monotonicNs(): string | undefined {
    if (!this.clock) return undefined;
    try {
      const ns = Number(this.clock.elapsedRealtimeNanos());
      return Number.isFinite(ns) && ns >= 0 ? Math.round(ns).toFixed(0) : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * Peak resident set size of this process, two ways: a sampler (process.memoryUsage.rss() every
 * few ms, which also gives the baseline and a curve) and the kernel's own high-water mark
 * (getrusage ru_maxrss via process.resourceUsage()), which cannot miss a short spike between
 * samples. Benchmarks that compare RSS run each contender in its own process, because the
 * high-water mark never goes down.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private peak = 0;
  private samples = 0;
  readonly baselineBytes: number;

  constructor(private readonly intervalMs = 20) {
    this.baselineBytes = process.memoryUsage.rss();
  }

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  /** Call from hot loops that yield rarely, so the peak is not missed between timer ticks. */
  sample(): void {
    const rss = process.memoryUsage.rss();
    this.samples += 1;
    if (rss > this.peak) this.peak = rss;
  }

  stop(): RssReport {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return {
      baselineBytes: this.baselineBytes,
      sampledPeakBytes: this.peak,
      kernelPeakBytes: kernelPeakRssBytes(),
      samples: this.samples,
    };
  }
}

export interface RssReport {
  baselineBytes: number;
  sampledPeakBytes: number;
  /** ru_maxrss of the whole process lifetime. */
  kernelPeakBytes: number;
  samples: number;
}

export function kernelPeakRssBytes(): number {
  // ru_maxrss is in kilobytes on Linux.
  return process.resourceUsage().maxRSS * 1024;
}

export function mib(bytes: number): number {
  return bytes / (1024 * 1024);
}

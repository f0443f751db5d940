import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

/** What a result was measured on: RESULTS.md quotes this line with every table. */
export interface MachineInfo {
  nproc: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  kernel: string;
  /** 1-minute load average when the benchmark started: numbers from a busy machine say so. */
  load1: number;
}

/**
 * The CPU model from /proc/cpuinfo ("model name"), falling back to os.cpus() off Linux. Virtual
 * machines often report a family name only ("AMD EPYC"); we print what the kernel says.
 */
export function cpuModel(cpuinfo?: string): string {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      text = '';
    }
  }
  const m = /^model name\s*:\s*(.+)$/m.exec(text);
  return m?.[1]?.trim() || cpus()[0]?.model || 'unknown';
}

export function machineInfo(): MachineInfo {
  return {
    nproc: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpuModel: cpuModel(),
    node: process.version,
    kernel: release(),
    load1: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function describeMachine(m: MachineInfo = machineInfo()): string {
  return `${m.cpuModel}, ${m.nproc} CPUs (nproc), ${m.memoryGiB} GiB RAM, Linux ${m.kernel}, Node ${m.node}; load average ${m.load1} at start`;
}

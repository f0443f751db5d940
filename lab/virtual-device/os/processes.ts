import type { ProcessRecord } from '../contracts.js';

/** Android user names for uids: AID_ROOT/SYSTEM/SHELL and u<user>_a<app> for app uids (android_filesystem_config.h). */
export function userNameForUid(uid: number): string {
  if (uid === 0) return 'root';
  if (uid === 1000) return 'system';
  if (uid === 1001) return 'radio';
  if (uid === 1036) return 'logd';
  if (uid === 2000) return 'shell';
  if (uid >= 10000 && uid < 20000) return `u0_a${uid - 10000}`;
  return String(uid);
}

/** A process with a few extra columns `ps` shows. */
export interface ProcessEntry extends ProcessRecord {
  vsz: number;
  rss: number;
  state: 'S' | 'R';
}

/** The boot-time processes every handset has, so `ps -A` looks like a phone's. */
const BOOT_PROCESSES: [string, number, number | 'zygote'][] = [
  ['init', 0, 0],
  ['[kthreadd]', 0, 0],
  ['/system/bin/logd', 1036, 1],
  ['/system/bin/servicemanager', 1000, 1],
  ['/system/bin/surfaceflinger', 1000, 1],
  ['zygote64', 0, 1],
  ['zygote', 0, 1],
  ['/apex/com.android.adbd/bin/adbd', 2000, 1],
  ['system_server', 1000, 'zygote'],
  ['com.android.systemui', 10098, 'zygote'],
  ['com.android.phone', 1001, 'zygote'],
  ['com.google.android.apps.nexuslauncher', 10123, 'zygote'],
];

export class ProcessTable {
  private readonly table = new Map<number, ProcessEntry>();
  private nextPid = 1;
  private zygotePid = 0;

  constructor(private readonly clock: () => number) {
    for (const [name, uid, ppid] of BOOT_PROCESSES) {
      const parent = ppid === 'zygote' ? this.zygotePid : ppid;
      const record = this.start(name, uid, parent);
      if (name === 'zygote64') this.zygotePid = record.pid;
      // Leave a gap after the kernel threads, as real pid numbering does.
      if (name === '[kthreadd]') this.nextPid = 300;
      if (name === 'zygote') this.nextPid = 1200;
    }
    this.nextPid = 4000;
  }

  get zygote(): number {
    return this.zygotePid;
  }

  start(name: string, uid: number, ppid?: number): ProcessEntry {
    const pid = this.allocatePid();
    const entry: ProcessEntry = {
      pid,
      ppid: ppid ?? this.zygotePid,
      uid,
      name,
      user: userNameForUid(uid),
      startedAt: this.clock(),
      vsz: 14_000_000 + ((pid * 7919) % 2_000_000),
      rss: 90_000 + ((pid * 104_729) % 60_000),
      state: 'S',
    };
    this.table.set(pid, entry);
    return entry;
  }

  kill(pid: number): ProcessEntry | undefined {
    const entry = this.table.get(pid);
    this.table.delete(pid);
    return entry;
  }

  get(pid: number): ProcessEntry | undefined {
    return this.table.get(pid);
  }

  byName(name: string): ProcessEntry[] {
    return [...this.table.values()].filter((p) => p.name === name);
  }

  list(): ProcessEntry[] {
    return [...this.table.values()].sort((a, b) => a.pid - b.pid);
  }

  private allocatePid(): number {
    // Pids wrap at pid_max (32768 on most Android kernels) and skip live ones.
    for (let i = 0; i < 32768; i += 1) {
      const pid = this.nextPid;
      this.nextPid = this.nextPid >= 32767 ? 300 : this.nextPid + 1;
      if (!this.table.has(pid)) return pid;
    }
    throw new Error('no free pid');
  }
}

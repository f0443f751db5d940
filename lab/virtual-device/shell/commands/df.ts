import { FsError, normalizeDevicePath } from '../../os/filesystem.js';
import type { VirtualPhoneOs } from '../../os/phone-os.js';
import type { ShellCommand } from '../command-context.js';

/**
 * toybox `df [-hk] [PATH...]`: the mounts of an Android 13 image. /data and the FUSE view of
 * shared storage over it report the same block device, and their "Used" grows with what was
 * pushed or installed, so a pool that checks free space before installing sees it move.
 */

interface Mount {
  source: string;
  point: string;
  sizeKb: number;
  /** Used by the image itself, before any file the device holds in memory. */
  baseUsedKb: number;
  /** Device paths whose files count as used on this mount. */
  counts: string[];
}

const GIB_KB = 1024 * 1024;

function mounts(os: VirtualPhoneOs): { mount: Mount; usedKb: number }[] {
  const table: Mount[] = [
    { source: '/dev/block/dm-0', point: '/', sizeKb: 6_082_768, baseUsedKb: 5_928_220, counts: [] },
    { source: 'tmpfs', point: '/dev', sizeKb: 2_010_632, baseUsedKb: 1_224, counts: [] },
    { source: 'tmpfs', point: '/mnt', sizeKb: 2_010_632, baseUsedKb: 0, counts: [] },
    { source: '/dev/block/dm-2', point: '/vendor', sizeKb: 231_328, baseUsedKb: 229_660, counts: [] },
    { source: '/dev/block/dm-5', point: '/data', sizeKb: 110 * GIB_KB, baseUsedKb: 7_532_476, counts: ['/data', '/storage/emulated'] },
    { source: '/dev/fuse', point: '/storage/emulated', sizeKb: 110 * GIB_KB, baseUsedKb: 7_532_476, counts: ['/data', '/storage/emulated'] },
  ];
  return table.map((mount) => {
    const bytes = mount.counts.reduce((sum, p) => sum + os.fs.bytesUnder(p), 0);
    return { mount, usedKb: Math.min(mount.sizeKb, mount.baseUsedKb + Math.ceil(bytes / 1024)) };
  });
}

/** The mount a path lives on: the longest mount point that is a prefix of it. */
function mountOf<T extends { mount: Mount }>(all: T[], path: string): T {
  let best = all[0]!;
  for (const m of all) {
    const p = m.mount.point;
    if ((path === p || path.startsWith(p === '/' ? '/' : `${p}/`)) && p.length > best.mount.point.length) best = m;
  }
  return best;
}

/** toybox human_readable: 1024-based, one decimal below 10 ("5.9G"), none above ("110G"). */
function human(kb: number): string {
  let value = kb * 1024;
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let u = 0;
  while (value >= 1024 && u < units.length - 1) {
    value /= 1024;
    u += 1;
  }
  if (u === 0) return String(value);
  return value < 10 ? `${(Math.round(value * 10) / 10).toFixed(1)}${units[u]}` : `${Math.round(value)}${units[u]}`;
}

export const df: ShellCommand = async (ctx) => {
  const humanReadable = ctx.args.some((a) => /^-[a-zA-Z]*h/.test(a));
  const paths = ctx.args.filter((a) => !a.startsWith('-'));
  const all = mounts(ctx.os);
  let status = 0;
  let rows = all;
  if (paths.length > 0) {
    rows = [];
    for (const raw of paths) {
      const path = normalizeDevicePath(raw, ctx.session.cwd);
      if (!ctx.os.fs.exists(path)) {
        await ctx.err(`df: ${raw}: ${new FsError('ENOENT', path).reason}\n`);
        status = 1;
        continue;
      }
      rows.push(mountOf(all, path));
    }
  }
  const header = ['Filesystem', humanReadable ? 'Size' : '1K-blocks', 'Used', humanReadable ? 'Avail' : 'Available', 'Use%', 'Mounted on'];
  const size = (kb: number) => (humanReadable ? human(kb) : String(kb));
  const table = rows.map(({ mount, usedKb }) => {
    const avail = mount.sizeKb - usedKb;
    const percent = mount.sizeKb === 0 ? 0 : Math.ceil((usedKb * 100) / mount.sizeKb);
    return [mount.source, size(mount.sizeKb), size(usedKb), size(avail), `${percent}%`, mount.point];
  });
  if (table.length === 0) return status;
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : i === cells.length - 1 ? c : c.padStart(widths[i]!))).join(' ');
  await ctx.out(`${[header, ...table].map(line).join('\n')}\n`);
  return status;
};

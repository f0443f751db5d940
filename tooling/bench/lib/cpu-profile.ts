import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went: self time per function
 * and per module (the file, or the npm package for node_modules), and inclusive time per
 * function (each sample counted once per function on its stack, so recursion is not counted
 * twice). Enough to say "zod's object parser dominates" without opening DevTools.
 */

const CpuProfile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
      hitCount: z.number().optional(),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

export interface ProfileEntry {
  name: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  selfByFunction: ProfileEntry[];
  selfByModule: ProfileEntry[];
  inclusiveByFunction: ProfileEntry[];
}

/** "node_modules/zod/v4/core/schemas.js" → "zod"; project files keep their path from the root. */
export function moduleOf(url: string, root: string): string {
  if (!url) return '(native/V8)';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  if (path.startsWith('node:')) return path;
  return path.startsWith(root) ? path.slice(root.length).replace(/^\//, '') : path;
}

export function summariseCpuProfile(file: string, root: string, top = 15): ProfileSummary {
  const profile = CpuProfile.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const fnKey = (id: number) => {
    const f = byId.get(id)!.callFrame;
    const mod = moduleOf(f.url, root);
    return `${f.functionName || '(anonymous)'} ${mod}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  };
  const self = new Map<string, number>();
  const selfMod = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const key = fnKey(id);
    self.set(key, (self.get(key) ?? 0) + ms);
    const mod = moduleOf(byId.get(id)!.callFrame.url, root);
    selfMod.set(mod, (selfMod.get(mod) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = fnKey(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + ms);
    }
  });
  const topOf = (m: Map<string, number>) =>
    [...m]
      .filter(([k]) => !/^\((idle|program|root|garbage collector)\)/.test(k) || k.startsWith('(garbage'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => ({ name, ms, share: total > 0 ? ms / total : 0 }));
  return { totalMs: total, selfByFunction: topOf(self), selfByModule: topOf(selfMod), inclusiveByFunction: topOf(incl) };
}

import type { Marker } from '../../../contracts/bundle-schema.js';
import { list, num, type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { joinWords } from '../statements.js';

export const meta: RuleMeta = {
  id: 'START-SELF',
  title: 'The app starts itself or other apps without user action',
  severity: 'medium',
  sources: ['N164'],
  signal: 'process start by broadcast/alarm/service, or another package launched, with no user step before it',
  thresholds: {
    graceSeconds: { default: 3, description: 'seconds after a user action during which starts are attributed to it' },
    systemPackages: {
      default: 'android,com.android.systemui,com.android.permissioncontroller,com.google.android.permissioncontroller,com.android.packageinstaller,com.android.launcher3,com.google.android.apps.nexuslauncher',
      description: 'packages whose appearance is the system at work, not the app (comma-separated)',
    },
  },
  explain: (t) => `Fails when the app's processes start by broadcast, service, alarm or provider, or another app is launched, with no user action in the ${t.graceSeconds} s before.`,
};

/** Causes of a process start that are not the user opening the app (ActivityManager "Start proc … for <cause>"). */
const BACKGROUND_CAUSES = /broadcast|service|alarm|provider|job|restart|backup/i;

function str(m: Marker, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = m.data?.[k];
    if (typeof v === 'string' && v) return v;
  }
  return undefined;
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const graceMs = num(ctx, 'graceSeconds') * 1000;
    const system = new Set(list(ctx, 'systemPackages'));
    const app = ctx.bundle.run.app.package;
    const selfStarts: Marker[] = [];
    const others: Marker[] = [];
    for (const m of ctx.timeline.ofKind('process.start', 'package.switch')) {
      const pkg = (str(m, 'package', 'to', 'process') ?? '').replace(/:.*$/, '');
      if (pkg && (system.has(pkg) || pkg.startsWith('com.android.launcher'))) continue;
      const own = !pkg || pkg === app;
      // Launching the app explains its own process starting, not another app opening: that
      // needs a tap (on an ad, a share button...).
      if (ctx.timeline.userActionNear(m.t, graceMs, { interaction: !own })) continue;
      if (m.kind === 'process.start' && own && BACKGROUND_CAUSES.test(str(m, 'cause') ?? '')) selfStarts.push(m);
      else if (!own) others.push(m);
    }
    const out: FindingDraft[] = [];
    if (selfStarts.length) {
      const causes = [...new Set(selfStarts.map((m) => str(m, 'cause')!))];
      out.push({
        statement: `The app started itself ${selfStarts.length} time${selfStarts.length > 1 ? 's' : ''} (by ${joinWords(causes)}) with no user action before it.`,
        t: selfStarts[0]!.t,
        evidence: { markers: selfStarts.map((m) => m.id) },
      });
    }
    if (others.length) {
      const pkgs = [...new Set(others.map((m) => (str(m, 'package', 'to', 'process') ?? '').replace(/:.*$/, '')))];
      out.push({
        statement: `The app launched ${joinWords(pkgs)} with no user action before it.`,
        t: others[0]!.t,
        evidence: { markers: others.map((m) => m.id) },
      });
    }
    return out;
  },
};

import type { DataTypeId } from '../../../contracts/data-types.js';
import type { Collection } from '../observations.js';
import { bool, type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { Timeline } from '../timeline.js';
import { labelsOf, seconds, upperFirst } from '../statements.js';
import { describePermission, permissionGroup, protectedTypes, samePermission } from './common.js';

export const meta: RuleMeta = {
  id: 'PERM-BYPASS',
  title: 'Data protected by a denied permission is obtained another way',
  severity: 'high',
  sources: ['RD 三.3'],
  signal: 'e.g. MAC from /sys/class/net, Wi-Fi BSSID or IP geolocation after location was denied',
  thresholds: {
    sideChannelMac: { default: true, description: 'also report MAC addresses read from /sys/class/net or /proc/net/arp, which Android withholds from apps' },
  },
  explain: (t) =>
    `Fails when, after a permission is denied, the data it guards (or a proxy such as the Wi-Fi BSSID for location) is still obtained or sent${t.sideChannelMac ? '; and when the MAC address is read through /sys/class/net or /proc/net/arp' : ''}.`,
};

/** Values Android returns instead of the real one when an app may not have it. */
const PLACEHOLDERS = new Set(['', 'null', 'unknown', '0', '02:00:00:00:00:00', '<unknown ssid>', '00:00:00:00:00:00']);
const SIDE_CHANNEL = /\/sys\/class\/net|\/proc\/net\/arp/;

/** Data types that stand in for the guarded one: BSSID and scan results locate a phone. */
function proxiesFor(perm: string): DataTypeId[] {
  return permissionGroup(perm) === 'location' ? ['wifi-network'] : [];
}

function obtained(c: Collection, ctx: Parameters<Rule['check']>[0]): boolean {
  if (c.kind === 'flow') return true;
  if (c.outcome === 'threw') return false;
  const event = ctx.bundle.events.find((e) => e.id === c.id);
  return !PLACEHOLDERS.has((event?.ret ?? 'x').trim().toLowerCase());
}

export const rule: Rule = {
  meta,
  check(ctx) {
    const out: FindingDraft[] = [];
    const reported = new Set<string>();
    for (const denial of ctx.timeline.ofKind('permission.denied')) {
      const seg = ctx.timeline.segmentOf(denial.t);
      for (const perm of Timeline.permissionsOf(denial)) {
        const group = permissionGroup(perm);
        if (reported.has(group)) continue;
        const guarded = [...protectedTypes(perm), ...proxiesFor(perm)];
        if (guarded.length === 0) continue;
        const regranted = ctx.timeline.ofKind('permission.granted').find((g) => g.t > denial.t && Timeline.permissionsOf(g).some((p) => samePermission(p, perm)));
        const until = Math.min(regranted?.t ?? Infinity, ctx.timeline.segmentEnd(seg));
        const got = ctx.observations.collections.filter(
          (c) => c.t > denial.t && c.t < until && c.dataTypes.some((t) => guarded.includes(t)) && obtained(c, ctx),
        );
        if (got.length === 0) continue;
        reported.add(group);
        const types = [...new Set(got.flatMap((c) => c.dataTypes.filter((t) => guarded.includes(t))))];
        const who = got[0]!.actor.label;
        out.push({
          statement: `After the user denied ${describePermission(perm)}, ${who} still obtained ${labelsOf(types)} ${seconds(got[0]!.t - denial.t)} later${got.some((c) => c.kind === 'flow') ? ' and sent it out' : ''}.`,
          dataTypes: types,
          ...(got[0]!.actor.sdk ? { sdk: got[0]!.actor.sdk } : {}),
          t: got[0]!.t,
          evidence: { markers: [denial.id], events: got.filter((c) => c.kind === 'event').map((c) => c.id), flows: got.filter((c) => c.kind === 'flow').map((c) => c.id) },
        });
      }
    }
    if (bool(ctx, 'sideChannelMac')) {
      const mac = ctx.bundle.events.filter(
        (e) => e.dataType === 'mac-address' && e.outcome.kind === 'returned' && (SIDE_CHANNEL.test(e.api) || e.args.some((a) => SIDE_CHANNEL.test(a))) && !PLACEHOLDERS.has((e.ret ?? 'x').trim().toLowerCase()),
      );
      if (mac.length) {
        const c = ctx.observations.collections.find((x) => x.id === mac[0]!.id);
        out.push({
          statement: `${upperFirst(c?.actor.label ?? 'the app')} read the MAC address from ${mac[0]!.args.find((a) => SIDE_CHANNEL.test(a)) ?? 'a kernel file'}, which Android withholds from apps.`,
          dataTypes: ['mac-address'],
          ...(c?.actor.sdk ? { sdk: c.actor.sdk } : {}),
          t: mac[0]!.t,
          evidence: { events: mac.map((e) => e.id) },
        });
      }
    }
    return out;
  },
};

import { bool, num, type FindingDraft, type Rule, type RuleMeta } from '../rule.js';
import { seconds, upperFirst } from '../statements.js';

export const meta: RuleMeta = {
  id: 'UI-SHAKE-JUMP',
  title: 'Motion sensors used to jump to another page or app',
  severity: 'medium',
  sources: ['N26'],
  signal: 'accelerometer/gyroscope listener from an ad SDK followed by a jump with no tap',
  thresholds: {
    windowSeconds: { default: 30, description: 'seconds after the sensor listener within which a jump counts' },
    adSdkOnly: { default: true, description: 'only sensor listeners registered by advertising SDKs (catalogue category "advertising") or unidentified code' },
  },
  explain: (t) => `Fails when ${t.adSdkOnly ? 'an ad SDK' : 'any code'} registers a motion-sensor listener and the app jumps to another app within ${t.windowSeconds} s with no tap in between.`,
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowSeconds') * 1000;
    const adOnly = bool(ctx, 'adSdkOnly');
    const listeners = ctx.observations.collections.filter((c) => {
      if (c.kind !== 'event' || !c.dataTypes.includes('motion-sensors')) return false;
      if (!adOnly) return true;
      if (c.actor.party === 'unknown' && c.actor.key.startsWith('code:')) return true;
      return c.actor.sdk !== undefined && ctx.catalogue.byId(c.actor.sdk)?.category === 'advertising';
    });
    const out: FindingDraft[] = [];
    const used = new Set<string>();
    for (const l of listeners) {
      const jump = ctx.timeline.markers.find((m) => (m.kind === 'package.switch' || m.data?.jump === true) && m.t >= l.t && m.t - l.t <= windowMs && !used.has(m.id));
      if (!jump) continue;
      const tapped = ctx.timeline.markers.some((m) => m.t >= l.t && m.t <= jump.t && (m.kind === 'user.action' || (m.kind === 'step' && /^(tap|type|swipe|scroll)/.test(String(m.data?.action ?? m.label)))));
      if (tapped) continue;
      used.add(jump.id);
      const to = typeof jump.data?.package === 'string' ? jump.data.package : typeof jump.data?.to === 'string' ? jump.data.to : 'another page';
      out.push({
        statement: `${upperFirst(l.actor.label)} listened to the motion sensors and the app jumped to ${to} ${seconds(jump.t - l.t)} later without a tap.`,
        dataTypes: ['motion-sensors'],
        ...(l.actor.sdk ? { sdk: l.actor.sdk } : {}),
        t: jump.t,
        evidence: { events: [l.id], markers: [jump.id], ui: jump.ui ? [jump.ui] : [] },
      });
    }
    return out.slice(0, 1).map((f) => (out.length > 1 ? { ...f, evidence: { events: out.flatMap((o) => o.evidence.events ?? []), markers: out.flatMap((o) => o.evidence.markers ?? []), ui: out.flatMap((o) => o.evidence.ui ?? []) } } : f));
  },
};

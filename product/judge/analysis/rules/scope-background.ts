import { list, num, type Rule, type RuleMeta } from '../rule.js';
import { byActor, collectionFinding } from '../statements.js';

export const meta: RuleMeta = {
  id: 'SCOPE-BACKGROUND',
  title: 'Collection while the app is in the background, undeclared',
  severity: 'medium',
  sources: ['RD 三.9', 'RD 四.1'],
  signal: 'events while the app.background marker holds',
  needsDeclarations: true,
  thresholds: {
    exempt: { default: 'network-info', description: 'data types not judged in the background (comma-separated)' },
    graceSeconds: { default: 2, description: 'work already under way when the app went to the background (a request queued in the foreground) is not counted for this long' },
  },
  explain: () => 'Fails when data is read or sent while the app is in the background and the policy does not say that data is collected in the background.',
};

export const rule: Rule = {
  meta,
  check(ctx) {
    const declaredBackground = new Set(ctx.declarations!.dataTypes.filter((d) => d.background).map((d) => d.dataType));
    const exempt = new Set(list(ctx, 'exempt'));
    const graceMs = num(ctx, 'graceSeconds') * 1000;
    const items = ctx.observations.collections
      .filter((c) => c.background && c.t - (ctx.timeline.inBackground(c.t)?.t ?? c.t) > graceMs)
      .map((c) => ({ ...c, dataTypes: c.dataTypes.filter((t) => !declaredBackground.has(t) && !exempt.has(t)) }))
      .filter((c) => c.dataTypes.length > 0);
    return byActor(items).map((g) => collectionFinding(g.actor, g.items, 'while the app was in the background, which the policy does not declare'));
  },
};

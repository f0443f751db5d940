import { describe, expect, it } from 'vitest';
import { flow, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './download-deceptive.js';

describe('DOWNLOAD-DECEPTIVE', () => {
  it('reports an APK downloaded with no user action', () => {
    const f = flow('https://dl.adcdn.example/game.apk?ch=1', T0 + 20_000);
    const [found] = judge(rule, { markers: [marker('user.action', T0)], flows: [f] });
    expect(found!.statement).toBe('The app downloaded https://dl.adcdn.example/game.apk with no user action before it.');
  });

  it('reports an install of another package, by content type too', () => {
    const f = flow('https://dl.adcdn.example/get?id=3', T0, { response: { status: 200, headers: [['Content-Type', 'application/vnd.android.package-archive']], body: { size: 10 } } });
    expect(judge(rule, { flows: [f] })).toHaveLength(1);
    expect(judge(rule, { markers: [marker('app.install', T0, { data: { package: 'com.game.x' } })] })[0]!.statement).toMatch(/started an install of com\.game\.x/);
  });

  it('accepts a download the user tapped for, and reinstalls of the app under test', () => {
    expect(judge(rule, { markers: [marker('user.action', T0)], flows: [flow('https://dl.example.com/update.apk', T0 + 1000)] })).toEqual([]);
    expect(judge(rule, { markers: [marker('app.install', T0, { data: { package: 'com.example.app' } })] })).toEqual([]);
  });

  it('does not take launching the app, or agreeing to its policy, for asking for a download', () => {
    const markers = [
      marker('step', T0, { tEnd: T0 + 1000, label: 'launch: Cold-start the app with monkey.', data: { kind: 'launch' } }),
      marker('step', T0 + 1000, { tEnd: T0 + 2500, label: 'consent: Accept the privacy policy dialog', data: { kind: 'consent' } }),
    ];
    expect(judge(rule, { markers, flows: [flow('https://static.gifshow.com/apk/partner-game-release.apk', T0 + 3000)] })).toHaveLength(1);
    const tap = marker('step', T0 + 2600, { tEnd: T0 + 2700, label: 'tap: Tap the element with text "立即下载".', data: { kind: 'tap' } });
    expect(judge(rule, { markers: [...markers, tap], flows: [flow('https://static.gifshow.com/apk/partner-game-release.apk', T0 + 3000)] })).toEqual([]);
  });
});

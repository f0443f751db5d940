import { describe, expect, it } from 'vitest';
import { hookEvent, marker, T0 } from '../../../evidence/bundle/test-support/factories.js';
import { judge } from '../test-support/rule-harness.js';
import { rule } from './ui-shake-jump.js';

const PANGLE = ['android.hardware.SensorManager.registerListener(Native Method)', 'com.bytedance.sdk.openadsdk.core.ShakeView.start(ShakeView.java:10)', 'com.example.app.SplashActivity.onCreate(SplashActivity.java:5)'];

describe('UI-SHAKE-JUMP', () => {
  it('reports an ad SDK sensor listener followed by a jump without a tap', () => {
    const [f] = judge(rule, {
      events: [hookEvent('motion-sensors', T0, { api: 'android.hardware.SensorManager.registerListener', stack: PANGLE })],
      markers: [marker('package.switch', T0 + 4000, { data: { package: 'com.taobao.taobao' } })],
    });
    expect(f!.statement).toBe('The Pangle / CSJ SDK listened to the motion sensors and the app jumped to com.taobao.taobao 4.0 s later without a tap.');
  });

  it('accepts a jump the user tapped for, and sensors used by the app itself', () => {
    const events = [hookEvent('motion-sensors', T0, { api: 'android.hardware.SensorManager.registerListener', stack: PANGLE })];
    expect(judge(rule, { events, markers: [marker('user.action', T0 + 3000), marker('package.switch', T0 + 4000, { data: { package: 'com.taobao.taobao' } })] })).toEqual([]);
    const own = [hookEvent('motion-sensors', T0, { stack: ['com.example.app.StepCounter.start(StepCounter.java:3)'] })];
    expect(judge(rule, { events: own, markers: [marker('package.switch', T0 + 4000, { data: { package: 'com.taobao.taobao' } })] })).toEqual([]);
  });
});

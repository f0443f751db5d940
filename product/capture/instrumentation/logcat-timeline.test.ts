import { describe, expect, it } from 'vitest';
import type { Marker } from '../../contracts/bundle-schema.js';
import { LogcatTimeline, parseLogcatLine } from './logcat-timeline.js';

const APP = 'com.example.shop';

function timeline(clockOffsetMs = 0) {
  const markers: Omit<Marker, 'id'>[] = [];
  let raw = '';
  const t = new LogcatTimeline({
    packageName: APP,
    clockOffsetMs,
    sink: { addMarker: (m) => markers.push(m), appendLogcat: (s) => (raw += s) },
  });
  return { t, markers, raw: () => raw };
}

describe('logcat timeline', () => {
  it('parses epoch and threadtime lines to device epoch milliseconds', () => {
    expect(parseLogcatLine('1750000000.123  1234  1250 I ActivityManager: hello')).toEqual({
      t: 1_750_000_000_123, pid: 1234, tid: 1250, priority: 'I', tag: 'ActivityManager', message: 'hello',
    });
    const tt = parseLogcatLine('06-15 14:30:00.500  99  100 E AndroidRuntime: boom', { year: 2025, utcOffsetMinutes: 120 });
    expect(tt?.t).toBe(Date.UTC(2025, 5, 15, 12, 30, 0, 500));
    expect(parseLogcatLine('--------- beginning of main')).toBeUndefined();
  });

  it('marks starts of the app\'s processes with their cause, once per pid, and ignores other apps', () => {
    const { t, markers, raw } = timeline(1000);
    t.push('1750000000.000  600  700 I am_proc_start: [0,4321,10123,com.example.shop:push,service,{com.example.shop/com.example.shop.push.PushService}]\n');
    t.push('1750000000.001  600  700 I ActivityManager: Start proc 4321:com.example.shop:push/u0a123 for service {com.example.shop/com.example.shop.push.PushService}\n');
    t.push('1750000001.000  600  700 I ActivityManager: Start proc 5555:com.other.app/u0a200 for broadcast {com.other.app/com.other.app.Rx}\n');
    t.push('1750000002.000  600  700 I ActivityManager: Start proc 4400:com.example.shop/u0a123 for broad');
    t.push('cast {com.example.shop/com.example.shop.BootReceiver}\n');
    t.end();
    expect(markers).toEqual([
      {
        t: 1_750_000_001_000,
        kind: 'process.start',
        label: 'process com.example.shop:push started for service',
        data: { pid: 4321, process: 'com.example.shop:push', cause: 'service', component: 'com.example.shop/com.example.shop.push.PushService', uid: 10123, source: 'logcat' },
      },
      expect.objectContaining({ kind: 'process.start', data: expect.objectContaining({ pid: 4400, cause: 'broadcast', uid: 10123 }) }),
    ]);
    expect(raw()).toContain('am_proc_start: [0,4321,10123'); // the whole log goes into the bundle
  });

  it('marks a switch from the app to another package, and the app starting another app', () => {
    const { t, markers } = timeline();
    t.push(
      [
        '1750000000.000  600  700 I am_proc_start: [0,4400,10123,com.example.shop,top-activity,{com.example.shop/.Main}]',
        '1750000000.100  600  700 I wm_set_resumed_activity: [0,com.example.shop/.Main,resumeTopActivity]',
        '1750000003.000  600  700 I ActivityTaskManager: START u0 {act=android.intent.action.VIEW flg=0x10000000 cmp=com.taobao.taobao/com.taobao.Main} from uid 10123',
        '1750000003.200  600  700 I wm_set_resumed_activity: [0,com.taobao.taobao/com.taobao.Main,resumeTopActivity]',
        '1750000004.000  600  700 I wm_set_resumed_activity: [0,com.android.launcher3/.Launcher,resumeTopActivity]',
        '',
      ].join('\n'),
    );
    const switches = markers.filter((m) => m.kind === 'package.switch');
    expect(switches.map((m) => [m.t, m.data?.to, m.data?.cause])).toEqual([
      [1_750_000_003_000, 'com.taobao.taobao', 'started-by-app'],
      [1_750_000_003_200, 'com.taobao.taobao', 'resumeTopActivity'],
    ]);
  });

  it('marks a crash of the app with its exception, not crashes of other apps', () => {
    const { t, markers } = timeline();
    t.push(
      [
        '1750000005.000  4400  4400 E AndroidRuntime: FATAL EXCEPTION: main',
        '1750000005.000  4400  4400 E AndroidRuntime: Process: com.example.shop, PID: 4400',
        '1750000005.000  4400  4400 E AndroidRuntime: java.lang.IllegalStateException: no consent',
        '1750000005.000  4400  4400 E AndroidRuntime: \tat com.example.shop.Main.onCreate(Main.java:3)',
        '1750000006.000  7000  7000 E AndroidRuntime: FATAL EXCEPTION: main',
        '1750000006.000  7000  7000 E AndroidRuntime: Process: com.other.app, PID: 7000',
        '1750000006.500  600  700 I am_crash: [4400,0,com.example.shop,1,java.lang.IllegalStateException,no consent,Main.java,3]',
        '',
      ].join('\n'),
    );
    t.end();
    expect(markers).toEqual([
      {
        t: 1_750_000_005_000,
        kind: 'app.crash',
        label: 'com.example.shop crashed: java.lang.IllegalStateException: no consent',
        data: { pid: 4400, process: 'com.example.shop', exception: 'java.lang.IllegalStateException: no consent', thread: 'main', source: 'logcat' },
      },
    ]);
  });
});

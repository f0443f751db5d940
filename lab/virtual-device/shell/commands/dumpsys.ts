import type { VirtualPhoneOs } from '../../os/phone-os.js';
import type { CommandContext, ShellCommand } from '../command-context.js';
import { dumpPackage } from './dumpsys-package.js';
import { objectId, shortComponent } from './util.js';

/** `dumpsys SERVICE [ARGS]` for the services labs and Appium read. */

function focus(os: VirtualPhoneOs) {
  const fg = os.foreground();
  const short = shortComponent(fg.packageName, fg.activity);
  const task = 100 + (os.getPackage(fg.packageName)?.uid ?? 0) % 900;
  return {
    fg,
    short,
    activityRecord: `ActivityRecord{${objectId(fg.activity)} u0 ${short} t${task}}`,
    window: `Window{${objectId(fg.windowTitle)} u0 ${fg.windowTitle}}`,
    task,
  };
}

function activityDump(os: VirtualPhoneOs, section: string | undefined, filter: string | undefined): string {
  const f = focus(os);
  const appPid = os.processTable.byName(f.fg.packageName)[0]?.pid ?? 0;
  const uid = os.getPackage(f.fg.packageName)?.uid ?? 10000;
  switch (section) {
    case 'top':
      return `TASK ${uid}:${f.fg.packageName} id=${f.task} userId=0\n  ACTIVITY ${f.short} ${objectId(f.fg.activity)} pid=${appPid}\n    Local Activity ${objectId(`${f.fg.activity}#local`)} State:\n      mResumed=true mStopped=false mFinished=false\n`;
    case 'services':
    case 's': {
      // A running app process stands for its (foreground) service: io.appium.settings checks this.
      const running = os
        .processes()
        .filter((p) => p.uid >= 10000 && os.getPackage(p.name) && (!filter || p.name === filter || p.name.startsWith(`${filter}/`)));
      if (running.length === 0) return 'ACTIVITY MANAGER SERVICES (dumpsys activity services)\n  (nothing)\n';
      const records = running.map(
        (p) =>
          `  * ServiceRecord{${objectId(`svc${p.pid}`)} u0 ${p.name}/.ForegroundService}\n    intent={cmp=${p.name}/.ForegroundService}\n    packageName=${p.name}\n    processName=${p.name}\n    app=ProcessRecord{${objectId(String(p.pid))} ${p.pid}:${p.name}/${p.user.replace('_', '')}}\n    isForeground=true foregroundId=1 foregroundNoti=null\n    createTime=-1m0s0ms startingBgTimeout=--\n`,
      );
      return `ACTIVITY MANAGER SERVICES (dumpsys activity services)\n  User 0 active services:\n${records.join('')}\n`;
    }
    case 'processes':
    case 'p': {
      const lines = os
        .processes()
        .filter((p) => p.uid >= 10000 && os.getPackage(p.name))
        .map((p) => `  *APP* UID ${p.uid} ProcessRecord{${objectId(String(p.pid))} ${p.pid}:${p.name}/${p.user.replace('_', '')}}\n    user #0 uid=${p.uid} gids={3003}\n    pid=${p.pid} starting=0\n`);
      return `ACTIVITY MANAGER RUNNING PROCESSES (dumpsys activity processes)\n  All known processes:\n${lines.join('')}`;
    }
    default:
      return [
        'ACTIVITY MANAGER ACTIVITIES (dumpsys activity activities)',
        'Display #0 (activities from top to bottom):',
        `  * Task{${objectId(`task${f.task}`)} #${f.task} type=standard A=${uid}:${f.fg.packageName} U=0 visible=true visibleRequested=true mode=fullscreen translucent=false sz=1}`,
        `    topResumedActivity=${f.activityRecord}`,
        `    * Hist  #0: ${f.activityRecord}`,
        `      packageName=${f.fg.packageName} processName=${f.fg.packageName}`,
        `      state=RESUMED`,
        '',
        `  ResumedActivity: ${f.activityRecord}`,
        '',
        `  mFocusedApp=${f.activityRecord}`,
        `  mResumedActivity: ${f.activityRecord}`,
        `  topResumedActivity=${f.activityRecord}`,
        '',
      ].join('\n');
  }
}

function windowDump(os: VirtualPhoneOs, section: string | undefined): string {
  const f = focus(os);
  const size = os.screenSize();
  const header =
    section === 'displays'
      ? 'WINDOW MANAGER DISPLAY CONTENTS (dumpsys window displays)'
      : section === 'windows'
        ? 'WINDOW MANAGER WINDOWS (dumpsys window windows)'
        : 'WINDOW MANAGER WINDOWS (dumpsys window windows)';
  return [
    header,
    `  Display: mDisplayId=0 rootTasks=1`,
    `    init=${size.width}x${size.height} ${size.density}dpi base=${size.width}x${size.height} ${size.density}dpi cur=${size.width}x${size.height} app=${size.width}x${size.height - 126}`,
    `  Window #0 ${f.window}:`,
    `    mDisplayId=0 rootTaskId=${f.task} mSession=Session{${objectId('session')} ${os.processTable.byName(f.fg.packageName)[0]?.pid ?? 0}:u0a0} mClient=android.os.BinderProxy@${objectId('client')}`,
    `    mHasSurface=true isReadyForDisplay()=true mWindowRemovalAllowed=false`,
    '',
    `  mCurrentFocus=${f.window}`,
    `  mFocusedApp=${f.activityRecord}`,
    '',
    'KEYGUARD',
    '  mShowingLockscreen=false mShowingDream=false mDreamingLockscreen=false',
    '  KeyguardController:',
    '    mKeyguardShowing=false',
    '    mAodShowing=false',
    `  mInputRestricted=false`,
    `  mScreenOnFully=true`,
    '',
  ].join('\n');
}

async function dumpsysPackage(ctx: CommandContext, name: string | undefined): Promise<number> {
  if (!name) {
    await ctx.out(ctx.os.listPackages().map((p) => dumpPackage(ctx.os, p)).join('\n'));
    return 0;
  }
  const pkg = ctx.os.getPackage(name);
  await ctx.out(pkg ? dumpPackage(ctx.os, pkg) : `Unable to find package: ${name}\n`);
  return 0;
}

const SERVICES = ['activity', 'package', 'window', 'input_method', 'power', 'deviceidle', 'display', 'battery', 'wifi', 'location', 'input', 'meminfo', 'cpuinfo', 'netstats', 'notification', 'settings', 'telephony.registry'];

export const dumpsys: ShellCommand = async (ctx) => {
  const [service, ...rest] = ctx.args;
  const os = ctx.os;
  switch (service) {
    case undefined:
    case '-l':
      await ctx.out(`Currently running services:\n${SERVICES.map((s) => `  ${s}\n`).join('')}`);
      return 0;
    case 'package':
      return dumpsysPackage(ctx, rest.find((a) => !a.startsWith('-')));
    case 'activity':
      await ctx.out(activityDump(os, rest[0], rest[1]));
      return 0;
    case 'window':
      await ctx.out(windowDump(os, rest[0]));
      return 0;
    case 'power':
      await ctx.out('POWER MANAGER (dumpsys power)\n  mWakefulness=Awake\n  mWakefulnessChanging=false\n  mHoldingDisplaySuspendBlocker=true\n  Display Power: state=ON\n');
      return 0;
    case 'input_method':
      await ctx.out(
        `Input Method Manager Service state:\n  mCurMethodId=${os.getSetting('secure', 'default_input_method') ?? ''}\n  mInputShown=false\n  mShowRequested=false\n  mIsInteractive=true\n`,
      );
      return 0;
    case 'deviceidle':
      if (rest[0] === 'whitelist') {
        const adds = rest.slice(1).filter((a) => a.startsWith('+'));
        if (adds.length) {
          await ctx.out(adds.map((a) => `Added: ${a.slice(1)}\n`).join(''));
          return 0;
        }
        await ctx.out('system-excidle,com.android.providers.downloads,10030\nsystem,com.google.android.gms,10140\n');
        return 0;
      }
      await ctx.out('  mDeepEnabled=true\n  mState=ACTIVE mLightState=ACTIVE\n');
      return 0;
    case 'display': {
      const s = os.screenSize();
      await ctx.out(`DISPLAY MANAGER (dumpsys display)\n  mBaseDisplayInfo=DisplayInfo{"Built-in Screen", displayId 0, real ${s.width} x ${s.height}, density ${s.density}, state ON}\n  mScreenState=ON\n`);
      return 0;
    }
    case 'battery':
      await ctx.out('Current Battery Service state:\n  AC powered: false\n  USB powered: true\n  status: 2\n  health: 2\n  present: true\n  level: 100\n  scale: 100\n  temperature: 250\n');
      return 0;
    case 'location':
      await ctx.out(`Location Manager State:\n  Location Setting: ${os.getSetting('secure', 'location_mode') === '0' ? 'false' : 'true'}\n`);
      return 0;
    case 'input':
      await ctx.out('INPUT MANAGER (dumpsys input)\n\nInput Manager State:\n  Interactive: true\n');
      return 0;
    default:
      if (SERVICES.includes(service)) {
        await ctx.out(`\n`);
        return 0;
      }
      await ctx.err(`Can't find service: ${service}\n`);
      return 0;
  }
};

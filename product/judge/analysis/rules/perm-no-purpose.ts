import type { Marker } from '../../../contracts/bundle-schema.js';
import { hasHan, toSimplified } from '../../../core/chinese-script.js';
import { num, type Rule, type RuleContext, type RuleMeta } from '../rule.js';
import { Timeline } from '../timeline.js';
import { joinWords } from '../statements.js';
import { permissionGroup, samePermission } from './common.js';

export const meta: RuleMeta = {
  id: 'PERM-NO-PURPOSE',
  title: 'A permission prompt with no in-app explanation of its purpose shown with or just before it',
  severity: 'medium',
  sources: ['N2021'],
  signal: 'no purpose text on screen in the step that raised the system dialog',
  thresholds: { windowSeconds: { default: 10, description: 'how long before the prompt a purpose explanation still counts' } },
  explain: (t) => `Fails when a system permission dialog appears without a purpose explanation on screen at most ${t.windowSeconds} s before it.`,
};

/**
 * What each permission group is about, in Simplified Chinese and English (Traditional text is
 * converted first). A purpose text names the thing and says what for.
 */
const SUBJECTS: Record<string, RegExp> = {
  camera: /相机|摄像头|摄像|拍照|拍摄|扫码|扫一扫|二维码|camera|photo|scan|qr/i,
  location: /位置|定位|地理|附近|所在|地图|导航|location|nearby|gps|map|where you are/i,
  contacts: /通讯录|联系人|好友|contacts?|address book|friends/i,
  microphone: /麦克风|录音|语音|话筒|microphone|record|voice|audio/i,
  storage: /存储|相册|照片|图片|文件|下载|保存|storage|photos?|gallery|files?|media|save/i,
  phone: /电话|通话|设备信息|拨打|本机号码|phone|calls?|device (?:id|information)/i,
  sms: /短信|验证码|sms|text messages?|verification code/i,
  calendar: /日历|日程|提醒|calendar|events?|reminders?/i,
  'call-log': /通话记录|call (?:log|history)/i,
  sensors: /传感器|心率|健康|sensors?|heart rate|health/i,
  'activity-recognition': /运动|步数|健身|activity|steps|fitness/i,
  'nearby-devices': /蓝牙|附近的设备|附近设备|bluetooth|nearby devices/i,
  notifications: /通知|推送|消息提醒|notifications?|alerts?/i,
};
/** Words that say what for (or ask for the access with a reason). */
const PURPOSE_CUES = /用于|用来|以便|为了|便于|需要|帮助|方便|授权|开启|允许|使用|获取|访问|so that|in order to|to (?:scan|take|find|show|share|record|save|send|upload|call|verify)|we need|needs?|is used|used to|used for|lets? you|allows?|allow|enable|to help|for /i;

const SYSTEM_DIALOG_PACKAGES = /^(?:com\.(?:google\.)?android\.(?:permissioncontroller|packageinstaller)|android|com\.android\.systemui)$/;

/**
 * A prompt is explained when the app itself showed, in the step that raised it, a text naming
 * what the permission is for: on its last screen before the prompt (a UI snapshot of the app in
 * the window), or in the app's window beneath the system dialog when the prompt's dump holds
 * several windows. The scenario stage's own pairing (`permission.purpose-shown`, `purposeShown`)
 * is taken when it found one; its "none" is checked against the stored screens, since a dump
 * taken while the prompt is up shows only the system dialog.
 */
export const rule: Rule = {
  meta,
  check(ctx) {
    const windowMs = num(ctx, 'windowSeconds') * 1000;
    const purposes = ctx.timeline.ofKind('permission.purpose-shown');
    const unexplained = ctx.timeline.ofKind('permission.requested').filter((req) => {
      if (req.data?.purposeShown === true) return false;
      const perms = Timeline.permissionsOf(req);
      const paired = purposes.some((p) => {
        if (p.t > req.t || req.t - p.t > windowMs || ctx.timeline.segmentOf(p.t) !== ctx.timeline.segmentOf(req.t)) return false;
        const about = Timeline.permissionsOf(p);
        return about.length === 0 || perms.length === 0 || about.some((a) => perms.some((q) => samePermission(a, q)));
      });
      return !paired && !explainedOnScreen(ctx, req, perms, windowMs);
    });
    if (unexplained.length === 0) return [];
    const groups = [...new Set(unexplained.flatMap((m) => Timeline.permissionsOf(m).map((p) => permissionGroup(p).replace(/-/g, ' '))))];
    return [
      {
        statement: `The app asked for the ${groups.length ? joinWords(groups) : 'runtime'} permission${groups.length > 1 ? 's' : ''} without first explaining on screen what ${groups.length > 1 ? 'they are' : 'it is'} for.`,
        t: unexplained[0]!.t,
        evidence: { markers: unexplained.map((m) => m.id), ui: unexplained.flatMap((m) => (m.ui ? [m.ui] : [])) },
      },
    ];
  },
};

/** Whether a stored screen of the app, in the step that led to the prompt, names the permission's purpose. */
function explainedOnScreen(ctx: RuleContext, req: Marker, perms: string[], windowMs: number): boolean {
  const app = ctx.bundle.run.app.package;
  const groups = perms.map((p) => permissionGroup(p));
  const seg = ctx.timeline.segmentOf(req.t);
  // Screens: the prompt's own dump (the app's window beneath the dialog), then the app's screens
  // stored shortly before it in the same install.
  const ids = [
    ...(req.ui ? [req.ui] : []),
    ...ctx.bundle.ui
      .filter((s) => s.t <= req.t && req.t - s.t <= windowMs && ctx.timeline.segmentOf(s.t) === seg && (s.package === undefined || s.package === app))
      .sort((a, b) => b.t - a.t)
      .map((s) => s.id),
  ];
  return ids.some((id) => {
    const xml = ctx.uiTrees.get(id);
    return xml !== undefined && appTexts(xml, app).some((text) => namesPurpose(text, groups));
  });
}

/** Texts of the app's own elements: a node's package decides, else the package of the window (root element) it sits in. */
export function appTexts(xml: string, appPackage: string): string[] {
  const out: string[] = [];
  const tagRe = /<(\/?)([A-Za-z_][\w.$-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*(\/?)>/g;
  const stack: (string | undefined)[] = [];
  for (let m = tagRe.exec(xml); m; m = tagRe.exec(xml)) {
    const [, closing, name, attrText, selfClosing] = m;
    if (name === 'hierarchy') continue;
    if (closing) {
      stack.pop();
      continue;
    }
    const attr = (key: string) => new RegExp(`\\s${key}="([^"]*)"`).exec(attrText!)?.[1];
    const pkg = attr('package') ?? stack[stack.length - 1];
    const text = [attr('text'), attr('content-desc')].filter((t): t is string => !!t).join(' ');
    if (pkg === appPackage && text && !SYSTEM_DIALOG_PACKAGES.test(pkg)) out.push(decodeEntities(text));
    if (!selfClosing) stack.push(pkg);
  }
  return out;
}

function decodeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (all, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!;
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** A text names a permission's purpose: it names what the permission is about and says what for. */
export function namesPurpose(text: string, groups: string[]): boolean {
  const t = hasHan(text) ? toSimplified(text) : text;
  if (!PURPOSE_CUES.test(t)) return false;
  const subjects = groups.length > 0 ? groups.map((g) => SUBJECTS[g]).filter((r): r is RegExp => r !== undefined) : Object.values(SUBJECTS);
  return subjects.some((re) => re.test(t));
}

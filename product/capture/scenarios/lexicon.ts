import { hasHan, toSimplified } from '../../core/chinese-script.js';

/**
 * The words consent and permission dialogs use, in Chinese and English. Kept as data in one
 * place so a lab can extend it; the detectors only combine these with structure (a clickable
 * control with a short label inside a container whose text mentions the policy).
 *
 * Labels are compared after `normaliseLabel`: Traditional Chinese (Taiwan phrases, Hong Kong
 * characters) turned Simplified, NFKC, lower case, no spaces, no brackets or punctuation, so
 * "《隱私權政策》", "同意 並 繼續" and "Agree & Continue" compare as written here, in Simplified
 * Chinese only. The detectors keep the original text for evidence.
 */

/** Converted labels: the same few hundred labels are normalised on every UI read. */
const simplified = new Map<string, string>();
const MAX_CACHED = 5000;

function simplify(text: string): string {
  if (!hasHan(text)) return text;
  let out = simplified.get(text);
  if (out === undefined) {
    out = toSimplified(text);
    if (simplified.size >= MAX_CACHED) simplified.clear();
    simplified.set(text, out);
  }
  return out;
}

export function normaliseLabel(raw: string): string {
  return simplify(raw)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u00a0\u3000]+/g, '')
    .replace(/[《》「」『』“”"'‘’.,，。!！?？:：;；()（）[\]【】<>〈〉›»→>、·…~～*]/g, '');
}

/** Text that marks a privacy-policy dialog. */
export const POLICY_CUE =
  /隐私|私隐|个人信息|个人数据|个人资料|用户协议|用户条款|服务条款|使用条款|服务协议|使用协议|许可协议|privacy|dataprotection|personal(information|data)|termsof(service|use)|termsandconditions|useragreement|cookie/;

/** Body text of a consent request (not a button). */
export const CONSENT_BODY_CUE = /同意|阅读|了解|授权|知悉|agree|accept|consent|read|review|understand|acknowledg/;

/** Text of the "are you sure?" dialog that follows a refusal. */
export const CONFIRM_CUE =
  /再想想|仍然|(若|如果|如)(您|你)?(不同意|拒绝)|仍要|将无法|无法(继续)?(使用|提供)|不能(继续)?使用|确定(要)?(拒绝|退出|不同意)|才能(继续)?使用|需要(您|你)的?同意|areyousure|ifyou(do)?(not|nt)agree|wontbeable|willnotbeable|cannot(use|continue)|notbeableto/;

const ZH_PREFIX = '(仍然|仍|依然|坚持|确认|确定|还是|残忍)?';

/** Buttons that refuse, by kind; the first pattern that matches a label decides (browse-only before plain refusal). */
export const REFUSE_PATTERNS: { kind: 'refuse' | 'browse-only' | 'exit'; re: RegExp }[] = [
  { kind: 'browse-only', re: /^(不同意)?(仅|只)浏览|^(进入)?(基本|基础|游客)(功能)?模式|^(continue)?(as)?guest|^browseonly|^basicmode|^limitedmode/ },
  {
    kind: 'refuse',
    re: new RegExp(
      `^${ZH_PREFIX}(不同意|不接受|拒绝|暂不同意|暂不使用|暂不|不用了|以后再说|稍后再说|不授权|取消)|^(still|yes,?)?(decline|disagree|reject|refuse|idonotagree|idontagree|donotagree|dontagree|notnow|nothanks|deny|later|skip|cancel)`,
    ),
  },
  { kind: 'exit', re: new RegExp(`^${ZH_PREFIX}(退出|离开|关闭应用)|^(exit|quit|close(the)?app|leave)`) },
];

/** Buttons that accept the policy. */
export const ACCEPT_RE =
  /^(好的?)?(我)?(已)?(阅读并)?(确认|确定)?(同意|接受|授权)|^(yes)?(i)?(agree|accept|allowall)/;

/** Weak acceptance: a "continue" button under a policy notice. */
export const CONTINUE_RE = /^(继续|进入应用|开始使用|立即体验|立即进入|continue|getstarted|start|proceed|next)$/;

/** Acknowledgement-only: the user can only confirm they saw it (CONSENT-IMPLICIT). */
export const ACKNOWLEDGE_RE = /^(我知道了|知道了|我已知晓|好的|好|确定|明白了|ok|okay|gotit|iunderstand|understood|dismiss|close|关闭)$/;

/** In an "are you sure?" dialog: the button that goes back to the policy. */
export const RECONSIDER_RE = /^(我?再想想|再看看|返回|去同意|重新考虑|查看协议|goback|back|reconsider|review|letmethink)/;

/**
 * A login or sign-up form: its agreement line ("已阅读并同意《隐私政策》", "By signing up, you agree
 * to our Terms") is a condition of the login, not the first-launch consent dialog.
 */
export const LOGIN_CUE = /登录|登陆|注册|一键登|signin|signup|signingup|login|logon|register|createaccount|createanaccount|mendaftar|masuk/;

/** Checkbox text of an "I have read and agree" tick box. */
export const CHECKBOX_CUE = /同意|阅读|已读|知悉|agree|read|accept|consent/;

/** Short labels only: a long clickable TextView is the policy text with links, not a button. */
export function isButtonSized(normalised: string): boolean {
  const cjk = (normalised.match(/[\u3400-\u9fff]/g) ?? []).length;
  return normalised.length > 0 && (cjk > 0 ? normalised.length <= 14 : normalised.length <= 32);
}

/*
 * Pop-ups (UI-UNCLOSABLE-POPUP; N164 pop-up harassment, N26 launch and pop-up ads must be
 * closable). Ads must be labelled as ads (Advertising Law art. 14), so the badge is the strongest
 * cue; SDK view ids and the shake/skip wording of launch ads come next.
 */

/** An ad badge: the whole label is "广告" / "Ad" / "Sponsored"... */
export const AD_BADGE_RE = /^(广告|广告位|推广|赞助|ad|ads|advertisement|sponsored|promoted)$/;

/** Wording only ads use: shake-to-jump prompts, launch-ad skip buttons, install calls to action. */
export const AD_WORDING_RE = /摇一摇|扭一扭|摇动手机|^跳过广告\d*s?$|^跳过\d*s?$|^\d+s?跳过$|^skipad|^skip\d*s?$|立即下载|下载应用|shakeyourphone|shaketo|installnow/;

/** View ids of ad SDKs and ad containers (short id, lower case). */
export const AD_ID_RE = /^(ksad_|tt_|gdt_|bd_ad|hw_ad|splash_?ad|ad_|ads_)|(^|_)(ad|ads|advert|interstitial|splashad)(_|$)|(^|_)(adview|adcontainer|adimage|adlayout)/;

/** A control that closes or skips a pop-up (its whole label). */
export const CLOSE_RE = /^(关闭|关闭广告|跳过|略过|跳过广告|跳过\d+s?|\d+s?跳过|×|✕|✖|╳|x|close|closead|skip|skipad|skip\d+s?|dismiss)$/;

/** View ids of close or skip controls. */
export const CLOSE_ID_RE = /close|skip|dismiss|(^|_)(cancel|iv_x|btn_x)($|_)/;

/** In a dialog that is not an ad, a control that declines or acknowledges also dismisses it. */
export const DISMISS_RE = /^(取消|以后再说|稍后再说|稍后|暂不|暂不需要|暂不更新|不了|不用了|不再提示|我知道了|知道了|好的|确定|ok|okay|gotit|notnow|later|maybelater|nothanks|cancel)$/;

/*
 * A screen that refuses service after a permission was denied (PERM-FORCED; RD 四.2): it says
 * the app cannot be used without the permission.
 */
export const BLOCKING_RE =
  /(未获得|没有|缺少|未开启|未授予|未授权|需要|请(先)?(开启|授予|允许|打开)).{0,16}权限.{0,20}(无法|不能|才能|方可|否则)|(无法|不能)(继续)?(使用|进入|运行).{0,16}(请|需要)?.{0,8}(开启|授予|允许|打开).{0,10}权限|(cannot|cant|unableto|wont)(be)?(use|continue|work|run|start).{0,40}without.{0,30}permission|permission.{0,20}(is)?(required|needed)(to|for)(use|continue|play|run)/;

/*
 * The privacy-policy search (POLICY-UNREACHABLE; RD 一.3: more than four taps from the main
 * screen). Entries are matched on whole short labels; a link to the policy itself beats them all.
 */

/** A control that opens the policy itself. */
export const POLICY_LINK_RE = /^(《)?(隐私政策|私隐政策|私隐声明|隐私权政策|隐私协议|隐私条款|隐私保护政策|隐私保护指引|个人信息保护政策|个人信息保护指引|privacypolicy|privacynotice|privacystatement)(》)?(摘要|概要|全文)?$/;

/** Entries where apps keep the policy, best first (my/me tab, settings, about, privacy, legal, help). */
export const POLICY_ENTRY_RES: RegExp[] = [
  /^(隐私|隐私设置|隐私中心|隐私与安全|隐私管理|个人信息保护|privacy|privacysettings|privacycenter|privacyandsecurity)$/,
  /^(关于|关于我们|关于本应用|关于应用|关于软件|关于app|about|aboutus|aboutthisapp|aboutapp)$/,
  /^(设置|系统设置|通用设置|更多设置|setting|settings|preferences)$/,
  /^(我的|我|个人中心|个人主页|我的账户|账号|账户|me|my|mine|profile|account|myaccount)$/,
  /^(法律条款|法律信息|法律声明|用户协议与隐私政策|协议与条款|条款与隐私|legal|legalinformation|termsandprivacy|termsprivacy)$/,
  /^(更多|更多选项|帮助|帮助与反馈|帮助中心|more|moreoptions|help|helpandfeedback)$/,
];

/** The title of a policy page. */
export const POLICY_TITLE_RE = /隐私政策|私隐政策|私隐声明|隐私权政策|隐私协议|隐私保护指引|个人信息保护政策|privacypolicy|privacynotice|privacystatement/;

/** Words of a policy's body (what is collected, shared, the user's rights). */
export const POLICY_BODY_RE = /收集|使用|共享|第三方|个人信息|权利|存储|collect|share|thirdpart|personal(data|information)|rights|retain/;

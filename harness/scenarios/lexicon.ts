/**
 * The words consent and permission dialogs use, in Chinese and English. Kept as data in one
 * place so a lab can extend it; the detectors only combine these with structure (a clickable
 * control with a short label inside a container whose text mentions the policy).
 *
 * Labels are compared after `normaliseLabel`: NFKC, lower case, no spaces, no brackets or
 * punctuation, so "《隐私政策》", "同意 并 继续" and "Agree & Continue" compare as written here.
 */

export function normaliseLabel(raw: string): string {
  return raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u00a0\u3000]+/g, '')
    .replace(/[《》「」『』“”"'‘’.,，。!！?？:：;；()（）[\]【】<>〈〉›»→>、·…~～*]/g, '');
}

/** Text that marks a privacy-policy dialog. */
export const POLICY_CUE =
  /隐私|个人信息|用户协议|服务协议|使用协议|许可协议|privacy|dataprotection|personal(information|data)|termsof(service|use)|termsandconditions|useragreement|cookie/;

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

/** Checkbox text of an "I have read and agree" tick box. */
export const CHECKBOX_CUE = /同意|阅读|已读|知悉|agree|read|accept|consent/;

/** Short labels only: a long clickable TextView is the policy text with links, not a button. */
export function isButtonSized(normalised: string): boolean {
  const cjk = (normalised.match(/[\u3400-\u9fff]/g) ?? []).length;
  return normalised.length > 0 && (cjk > 0 ? normalised.length <= 14 : normalised.length <= 32);
}

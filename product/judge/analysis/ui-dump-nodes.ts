/**
 * Just enough of a UiAutomator XML dump for the UI rules: each element's attributes. Both
 * dialects are read: `uiautomator dump` writes `<node class="...">`, the Appium UiAutomator2
 * server's page source (what the scenario stage stores) names each element by its class
 * (`<android.widget.Button class="..." ...>`). A tolerant scan beats a full parser here: a
 * damaged or partial dump still yields the nodes it has.
 */
export interface UiNode {
  text: string;
  desc: string;
  id: string;
  className: string;
  clickable: boolean;
  checkable: boolean;
  checked: boolean;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) => {
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITIES[e] ?? all;
  });
}

export function uiNodes(xml: string): UiNode[] {
  const out: UiNode[] = [];
  // An element start tag; `hierarchy` (the root) and the XML declaration are not nodes.
  const nodeRe = /<(?!hierarchy\b)([A-Za-z_][\w.$-]*)((?:\s+[\w:.-]+="[^"]*")*)\s*\/?>/g;
  for (let m = nodeRe.exec(xml); m; m = nodeRe.exec(xml)) {
    const attrs: Record<string, string> = {};
    const attrRe = /([\w:.-]+)="([^"]*)"/g;
    for (let a = attrRe.exec(m[2]!); a; a = attrRe.exec(m[2]!)) attrs[a[1]!] = decode(a[2]!);
    if (m[1] !== 'node' && attrs.class === undefined) attrs.class = m[1]!;
    out.push({
      text: attrs.text ?? '',
      desc: attrs['content-desc'] ?? '',
      id: attrs['resource-id'] ?? '',
      className: attrs.class ?? '',
      clickable: attrs.clickable === 'true',
      checkable: attrs.checkable === 'true',
      checked: attrs.checked === 'true',
    });
  }
  return out;
}

const label = (n: UiNode) => `${n.text} ${n.desc}`.trim();

/** Controls that refuse or leave a consent dialog (zh and en). */
export const REFUSE_WORDS = /不同意|拒绝|暂不|不接受|仅浏览|退出|取消|disagree|decline|reject|refuse|not now|no thanks|don'?t agree|exit|cancel|quit/i;
/** Acknowledgement-only wording: consent by default when nothing else is offered. */
export const ACK_WORDS = /^(?:我知道了|知道了|好的|好|确定|确认|OK|Okay|Got it|I understand|Continue|继续)$/i;
/** Close or skip controls of a pop-up or launch ad (the scenario stage's lexicon says the same). */
export const CLOSE_WORDS = /关闭|跳过|×|✕|✖|╳|close|skip|dismiss|^x$/i;

/** A consent dialog that is checked before the user touched it, or offers no way to refuse. */
export function implicitConsent(nodes: UiNode[]): string | undefined {
  const preTicked = nodes.find((n) => n.checkable && n.checked);
  if (preTicked) return `a pre-ticked box ("${label(preTicked) || preTicked.id || preTicked.className}")`;
  const buttons = nodes.filter((n) => n.clickable && label(n));
  if (buttons.length === 0) return undefined;
  const refuse = buttons.some((n) => REFUSE_WORDS.test(label(n)) || /refuse|reject|disagree|decline|cancel/i.test(n.id));
  const ackOnly = buttons.every((n) => ACK_WORDS.test(label(n)));
  if (!refuse && ackOnly) return `only an acknowledgement button ("${buttons.map(label).join('", "')}") and no way to refuse`;
  return undefined;
}

export function hasCloseControl(nodes: UiNode[]): boolean {
  return nodes.some((n) => n.clickable && (CLOSE_WORDS.test(n.text.trim()) || CLOSE_WORDS.test(n.desc.trim()) || /close|skip|dismiss/i.test(n.id)));
}

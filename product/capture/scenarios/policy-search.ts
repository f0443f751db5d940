import { detectConsentDialog } from './consent-detector.js';
import { isButtonSized, normaliseLabel, POLICY_BODY_RE, POLICY_ENTRY_RES, POLICY_LINK_RE, POLICY_TITLE_RE } from './lexicon.js';
import { PERMISSION_PACKAGES } from './permission-detector.js';
import { area, clickTarget, controlLabel, dominantPackage, label, shortId, type UiNode, type UiTree } from './ui-hierarchy.js';

/**
 * What the privacy-policy search reads on a screen (RD 一.3: the policy must be reachable from
 * the main screen in at most four taps): the controls worth tapping, best first, and whether the
 * screen is the policy itself. Pure functions over a parsed UI dump.
 */

export interface PolicyEntry {
  node: UiNode;
  label: string;
  /** 0 for a link to the policy itself, then the rank of the entry kind (privacy, about, settings, me...). */
  rank: number;
}

/** A page shorter than this (normalised characters) is a heading or a link, not the policy. */
const MIN_POLICY_CHARS = 40;

/** Launchers and system UI: a policy "found" there is not the app's. */
const NOT_A_POLICY_HOST = /launcher|systemui/;

/**
 * Controls on the app's screen that may lead to the policy, best first: a link to the policy,
 * then privacy, about, settings, me/我的, legal, more/help entries. Matched on whole short labels
 * (text or content description, or a view id such as `tab_me` or `iv_settings` for icons).
 */
export function policyEntries(tree: UiTree, appPackage: string): PolicyEntry[] {
  const seen = new Set<UiNode>();
  const out: PolicyEntry[] = [];
  for (const n of tree.nodes) {
    if (n.package !== appPackage || !n.enabled || area(n.bounds) === 0) continue;
    const target = clickTarget(n);
    if (!target || seen.has(target)) continue;
    const text = normaliseLabel(target === n ? controlLabel(n) : label(n));
    const rank = entryRank(text) ?? entryRank(idWords(n.resourceId)) ?? (target !== n ? entryRank(idWords(target.resourceId)) : undefined);
    if (rank === undefined) continue;
    seen.add(target);
    out.push({ node: target, label: label(n) || controlLabel(target) || shortId(target.resourceId), rank });
  }
  return out.sort((a, b) => a.rank - b.rank || a.node.order - b.node.order);
}

function entryRank(text: string): number | undefined {
  if (!text || !isButtonSized(text)) return undefined;
  if (POLICY_LINK_RE.test(text)) return 0;
  const i = POLICY_ENTRY_RES.findIndex((re) => re.test(text));
  return i >= 0 ? i + 1 : undefined;
}

/** `com.app:id/tab_me` → "me", `iv_settings` → "settings": icons are often named but not labelled. */
function idWords(resourceId: string): string {
  const id = shortId(resourceId).toLowerCase();
  const words = id.split(/[_\-.]+/).filter((w) => !/^(tab|btn|button|iv|img|icon|ic|tv|text|item|menu|nav|entry|view|layout|ll|rl)$/.test(w));
  return words.length === 1 ? words[0]! : '';
}

/**
 * The policy itself: a page (the app's own screen, a WebView, or a browser it opened) titled as
 * the privacy policy and carrying a body about collection and sharing. A settings row named
 * "隐私政策" is an entry, not the page; the first-run consent dialog is not the page either.
 */
export function isPolicyPage(tree: UiTree, appPackage: string): boolean {
  const fg = dominantPackage(tree);
  if (!fg || NOT_A_POLICY_HOST.test(fg) || PERMISSION_PACKAGES.has(fg)) return false;
  if (detectConsentDialog(tree, { appPackage })) return false;
  const words = tree.nodes.filter((n) => !n.clickable || normaliseLabel(label(n)).length > 30).map((n) => normaliseLabel(label(n)));
  const titled = words.some((w) => POLICY_TITLE_RE.test(w));
  const body = words.filter((w) => w.length > 0).join('');
  return titled && body.length >= MIN_POLICY_CHARS && POLICY_BODY_RE.test(body);
}

/** The app's screen by its ids and words (digits dropped), to tell whether a tap or Back changed it. */
export function screenSignature(tree: UiTree): string {
  return tree.nodes
    .map((n) => `${shortId(n.resourceId)}:${normaliseLabel(label(n)).replace(/\d+/g, '#').slice(0, 40)}`)
    .filter((s) => s !== ':')
    .join('|')
    .slice(0, 2000);
}

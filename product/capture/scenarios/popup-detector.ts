import { detectConsentDialog } from './consent-detector.js';
import {
  AD_BADGE_RE,
  AD_ID_RE,
  AD_WORDING_RE,
  BLOCKING_RE,
  CLOSE_ID_RE,
  CONFIRM_CUE,
  CLOSE_RE,
  DISMISS_RE,
  isButtonSized,
  normaliseLabel,
  POLICY_CUE,
} from './lexicon.js';
import { detectPermissionPrompt, PERMISSION_PACKAGES } from './permission-detector.js';
import { area, clickTarget, controlLabel, dominantPackage, label, screenBounds, shortId, subtree, type Bounds, type UiNode, type UiTree } from './ui-hierarchy.js';

/**
 * Recognises a pop-up the app puts over its own screen: a launch or interstitial ad (by its ad
 * badge, ad-SDK view ids, or launch-ad wording such as "摇一摇" and "跳过"), or a dialog card that
 * is neither the privacy dialog nor a permission prompt. Says which control would close it, if
 * any (N164 pop-up harassment; N26: launch and pop-up ads must offer a visible, working close
 * control). Also recognises the screen an app shows instead of its service after a permission
 * was denied (PERM-FORCED). Pure functions over a parsed UI dump.
 */

export interface PopupClose {
  node: UiNode;
  label: string;
  /** How it was recognised: its words, or its view id (an unlabelled ✕ icon). */
  by: 'label' | 'id';
}

export interface Popup {
  kind: 'ad' | 'dialog';
  /** What a person would call it: its title or first words (capped). */
  name: string;
  container: UiNode;
  /** The control that closes or skips it, when there is one a tap can reach. */
  close: PopupClose | undefined;
  /** Why it was taken for a pop-up (for the marker). */
  cues: string[];
  /** Stable across re-reads (countdowns ignored), to note a pop-up that stays up once. */
  signature: string;
  fullScreen: boolean;
}

export interface PopupOptions {
  appPackage?: string;
  /** The device's screen; read from the dump when absent (a dialog-only dump needs it). */
  screen?: { width: number; height: number };
}

/** An ad-cued view this large (share of the screen) makes a full-screen ad. */
const LARGE_AD_SHARE = 0.4;
/** A close control covers at most this share of its pop-up. */
const MAX_CLOSE_SHARE = 0.25;
/** Content smaller than this share of the screen is a dialog card over the screen below. */
const CARD_SHARE = 0.75;

export function detectPopup(tree: UiTree, options: PopupOptions = {}): Popup | undefined {
  const app = options.appPackage ?? dominantPackage(tree);
  if (!app || dominantPackage(tree) !== app) return undefined;
  if (detectPermissionPrompt(tree, { appPackage: app })) return undefined;
  if (detectConsentDialog(tree, { appPackage: app })) return undefined;
  const nodes = tree.nodes.filter((n) => n.package === app);
  if (nodes.length === 0 || detectBlockingText(nodes)) return undefined;
  const screen = screenOf(tree, options);
  const card = dialogCard(nodes, screen);
  const within = card ? subtree(card) : nodes;
  const cues = adCues(within, screen);
  if (cues.strong.length === 0 && !card) return undefined;
  const kind = cues.all.length > 0 ? 'ad' : 'dialog';
  // A card that asks nothing (a progress spinner, a toast-like notice) is not a pop-up to close.
  if (kind === 'dialog' && !within.some((n) => n.clickable && n.enabled && area(n.bounds) > 0)) return undefined;
  // A card about the privacy policy is the consent dialog (CONSENT-* rules), even one the
  // consent detector could not read: refusing it is not closing a pop-up.
  const aboutPolicy = (n: UiNode) => POLICY_CUE.test(normaliseLabel(label(n))) || CONFIRM_CUE.test(normaliseLabel(label(n)));
  if (kind === 'dialog' && within.some(aboutPolicy)) return undefined;
  const container = card ?? topAppNode(nodes);
  return {
    kind,
    name: popupName(within),
    container,
    close: findClose(within, container, kind),
    cues: card ? ['dialog card', ...cues.all] : cues.all,
    signature: signatureOf(within),
    fullScreen: !card,
  };
}

function screenOf(tree: UiTree, options: PopupOptions): Bounds | undefined {
  if (options.screen) return { x1: 0, y1: 0, x2: options.screen.width, y2: options.screen.height };
  return screenBounds(tree);
}

/** The app's topmost node: the window (or, in a dialog-only dump, the dialog). */
function topAppNode(nodes: UiNode[]): UiNode {
  return nodes.reduce((best, n) => (n.depth < best.depth ? n : best), nodes[0]!);
}

/**
 * The dialog card, if the app's content is one: going down from the window through nodes that
 * have a single child (decor view, content frame), the first one clearly smaller than the screen.
 */
function dialogCard(nodes: UiNode[], screen: Bounds | undefined): UiNode | undefined {
  if (!screen) return undefined;
  const full = area(screen);
  for (let n: UiNode | undefined = topAppNode(nodes); n; n = n.children.length === 1 ? n.children[0] : undefined) {
    const a = area(n.bounds);
    if (a > 0 && a < CARD_SHARE * full) return n;
    if (n.children.length !== 1) {
      // A window with several children: the card is the one child that holds everything else.
      const sized = n.children.filter((c) => area(c.bounds) > 0);
      if (sized.length === 1 && area(sized[0]!.bounds) < CARD_SHARE * full) return sized[0];
      return undefined;
    }
  }
  return undefined;
}

/** Strong cues alone make an ad; weak ones (a small badge) only name a dialog card as an ad. */
function adCues(nodes: UiNode[], screen: Bounds | undefined): { strong: string[]; all: string[] } {
  const strong = new Set<string>();
  const all = new Set<string>();
  const full = screen ? area(screen) : 0;
  for (const n of nodes) {
    const text = normaliseLabel(label(n));
    const id = shortId(n.resourceId).toLowerCase();
    const large = full > 0 && area(n.bounds) >= LARGE_AD_SHARE * full;
    if (text && isButtonSized(text) && AD_WORDING_RE.test(text)) {
      strong.add(`ad wording "${label(n)}"`);
      all.add(`ad wording "${label(n)}"`);
    }
    for (const [cue, hit] of [
      [`ad badge "${label(n)}"`, text !== '' && AD_BADGE_RE.test(text)],
      [`ad view id ${id}`, id !== '' && AD_ID_RE.test(id)],
    ] as const) {
      if (!hit) continue;
      all.add(cue);
      if (large) strong.add(cue);
    }
  }
  return { strong: [...strong], all: [...all] };
}

/**
 * The control a tap would close the pop-up with. A close label on a node whose tap lands on the
 * ad itself (a clickable ad container) is not a close control: tapping it opens the ad.
 */
function findClose(nodes: UiNode[], container: UiNode, kind: Popup['kind']): PopupClose | undefined {
  const candidates: PopupClose[] = [];
  for (const n of nodes) {
    if (!n.enabled || area(n.bounds) === 0) continue;
    const target = clickTarget(n);
    // A close control is small; a close label whose tap lands on (most of) the ad opens the ad.
    if (!target || !nodes.includes(target) || area(target.bounds) > MAX_CLOSE_SHARE * area(container.bounds)) continue;
    const text = normaliseLabel(target === n ? controlLabel(n) : label(n));
    const id = shortId(n.resourceId).toLowerCase();
    if (text && (CLOSE_RE.test(text) || (kind === 'dialog' && DISMISS_RE.test(text)))) candidates.push({ node: target, label: label(n) || controlLabel(target), by: 'label' });
    else if (id && CLOSE_ID_RE.test(id)) candidates.push({ node: target, label: label(n) || id, by: 'id' });
  }
  return candidates.find((c) => c.by === 'label') ?? candidates[0];
}

function popupName(nodes: UiNode[]): string {
  const texts = nodes.map((n) => n.text.trim()).filter((t) => t && !AD_BADGE_RE.test(normaliseLabel(t)) && !CLOSE_RE.test(normaliseLabel(t)));
  const descs = nodes.map((n) => n.contentDesc.trim()).filter(Boolean);
  return (texts[0] ?? descs[0] ?? '').replace(/\s+/g, ' ').slice(0, 80);
}

/** Ids and words of the pop-up with digits dropped: a "跳过 5" countdown is the same pop-up at 4. */
export function signatureOf(nodes: UiNode[]): string {
  return nodes
    .map((n) => `${shortId(n.resourceId)}:${normaliseLabel(label(n)).replace(/\d+/g, '#')}`)
    .filter((s) => s !== ':')
    .join('|')
    .slice(0, 400);
}

export interface BlockingScreen {
  /** The words that refuse service. */
  text: string;
}

/**
 * A screen of the app (not the system dialog) that says it cannot be used without a permission:
 * "未获得电话权限，无法进入游戏" (RD 四.2, refusing service when a permission is refused).
 */
export function detectBlockingScreen(tree: UiTree, appPackage: string): BlockingScreen | undefined {
  if (dominantPackage(tree) !== appPackage) return undefined;
  if (tree.nodes.some((n) => PERMISSION_PACKAGES.has(n.package))) return undefined;
  const hit = detectBlockingText(tree.nodes.filter((n) => n.package === appPackage));
  return hit ? { text: hit } : undefined;
}

function detectBlockingText(nodes: UiNode[]): string | undefined {
  for (const n of nodes) {
    const text = label(n);
    if (text && BLOCKING_RE.test(normaliseLabel(text))) return text.slice(0, 300);
  }
  return undefined;
}

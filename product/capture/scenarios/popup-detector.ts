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
  LOGIN_CUE,
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
  /** How it was recognised: its words, its view id, or as the unlabelled icon in a top corner. */
  by: 'label' | 'id' | 'icon';
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
/** A close control covers at most this share of an ad (a larger "close" is the ad's own tap area). */
const MAX_CLOSE_SHARE = 0.25;
/** In a dialog, a dismissing button can be a full-width bar at its foot. */
const MAX_DISMISS_SHARE = 0.5;
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
  const overlay = overlayCard(tree, app, screen);
  // An ad card needs no overlay evidence: its ad ids and badge say what it is (an interstitial).
  const adCard = overlay ? undefined : dialogCard(nodes, screen);
  const card = overlay?.card ?? (adCard && adCues(subtree(adCard), screen).all.length > 0 ? adCard : undefined);
  const within = card ? subtree(card) : nodes;
  const cues = adCues(within, screen);
  if (cues.strong.length === 0 && !card) return undefined;
  const kind = cues.all.length > 0 ? 'ad' : 'dialog';
  // A card that asks nothing (a progress spinner, a toast-like notice) is not a pop-up to close.
  if (kind === 'dialog' && !within.some((n) => n.clickable && n.enabled && area(n.bounds) > 0)) return undefined;
  // A card about the privacy policy is the consent dialog (CONSENT-* rules), even one the
  // consent detector could not read: refusing it is not closing a pop-up.
  const aboutPolicy = (n: UiNode) => POLICY_CUE.test(normaliseLabel(label(n))) || CONFIRM_CUE.test(normaliseLabel(label(n)));
  // A login sheet's agreement line ("我已阅读并同意…隐私政策") does not make it the consent dialog.
  const loginSheet = LOGIN_CUE.test(normaliseLabel(within.map(label).join(' ')));
  if (kind === 'dialog' && !loginSheet && within.some(aboutPolicy)) return undefined;
  const container = card ?? topAppNode(nodes);
  return {
    kind,
    name: popupName(within),
    container,
    close: findClose(within, container, kind),
    cues: [...(overlay ? [overlay.why] : card ? ['ad card'] : []), ...cues.all],
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

/** A node this share of the screen spans it (a window, a decor view, a scrim below the status bar). */
const FULL_SHARE = 0.85;

/** Views and windows that only dialogs, sheets and pop-up windows use. */
const DIALOG_CLASS_RE = /dialog|bottomsheet|popupwindow/i;
const DIALOG_ID_RE = /(^|_)(dialog|alert|popup|popwindow|bottom_?sheet|sheet|parentpanel|alerttitle|touch_outside)(_|$)|^(dialog|popup|alert)/;
/** A dimmed layer between the page and the card. */
const SCRIM_ID_RE = /scrim|mask|dim|shade|overlay|outside|cover/;

/**
 * The app's content that overlays other content, with the structural reason: a window smaller
 * than the screen (a dialog window, or the only window `uiautomator dump` saw while a dialog was
 * up), a card drawn over a full-screen dimmed scrim, or a card laid out as a dialog or sheet. A
 * page is none of these, however small its only row is; nor is a bar or a floating button drawn
 * over the page (they overlap it without a scrim).
 */
export function overlayCard(tree: UiTree, app: string, screen: Bounds | undefined): { card: UiNode; why: string } | undefined {
  if (!screen) return undefined;
  const full = area(screen);
  const windows = tree.root.children.filter((w) => w.package === app && area(w.bounds) > 0);
  // The smallest window first: a dialog window sits over the activity's full-screen one.
  windows.sort((a, b) => area(a.bounds) - area(b.bounds));
  for (const w of windows) {
    if (area(w.bounds) < CARD_SHARE * full) return { card: w, why: 'window smaller than the screen' };
  }
  for (const w of windows) {
    const found = cardOnLayers(w, full);
    if (found) return found;
  }
  return undefined;
}

function hasContent(node: UiNode): boolean {
  return subtree(node).some((n) => label(n) !== '' || (n.clickable && area(n.bounds) > 0));
}

function isScrim(node: UiNode, full: number): boolean {
  if (area(node.bounds) < FULL_SHARE * full) return false;
  if (SCRIM_ID_RE.test(shortId(node.resourceId).toLowerCase())) return true;
  // A full-screen tap target with nothing in it: tapping outside the card.
  return node.clickable && subtree(node).every((n) => label(n) === '');
}

const dialogLike = (n: UiNode) => DIALOG_CLASS_RE.test(n.className) || DIALOG_ID_RE.test(shortId(n.resourceId).toLowerCase());

/**
 * Below a full-screen window, through full-screen layers (decor, content, root layouts): a node
 * laid out as a dialog or sheet, or a card-sized node drawn over a dimmed scrim.
 */
function cardOnLayers(window: UiNode, full: number): { card: UiNode; why: string } | undefined {
  const visit = (node: UiNode): { card: UiNode; why: string } | undefined => {
    // Drawn later = drawn on top: search the topmost layer first.
    for (let i = node.children.length - 1; i >= 0; i -= 1) {
      const child = node.children[i]!;
      const a = area(child.bounds);
      if (a === 0 || !hasContent(child)) continue;
      if (dialogLike(child)) return { card: child, why: 'dialog layout' };
      if (a >= FULL_SHARE * full) {
        const deeper = visit(child);
        if (deeper) return deeper;
        continue;
      }
      if (a >= CARD_SHARE * full) continue;
      const below = node.children.slice(0, i);
      if (below.some((s) => isScrim(s, full))) return { card: child, why: 'card over a dimmed scrim' };
      if (subtree(child).some(dialogLike)) return { card: child, why: 'dialog layout' };
    }
    return undefined;
  };
  return dialogLike(window) ? { card: window, why: 'dialog layout' } : visit(window);
}

/**
 * An ad card: going down from the window through nodes that have a single child (decor view,
 * content frame), the first one clearly smaller than the screen. Only taken with ad cues inside.
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
 * ad itself (a clickable ad container) is not a close control: tapping it opens the ad. A switch
 * or option whose state reads "关闭" (off) is not one either. Last resort: the unlabelled small
 * icon in a top corner of the card (close icons often have no text, no description, and an
 * obfuscated id).
 */
function findClose(nodes: UiNode[], container: UiNode, kind: Popup['kind']): PopupClose | undefined {
  const candidates: PopupClose[] = [];
  for (const n of nodes) {
    if (!n.enabled || area(n.bounds) === 0 || n.checkable) continue;
    const target = clickTarget(n);
    // A close control is small; a close label whose tap lands on (most of) the ad opens the ad.
    const maxShare = kind === 'ad' ? MAX_CLOSE_SHARE : MAX_DISMISS_SHARE;
    if (!target || target.checkable || !nodes.includes(target) || area(target.bounds) > maxShare * area(container.bounds)) continue;
    const text = normaliseLabel(target === n ? controlLabel(n) : label(n));
    const id = shortId(n.resourceId).toLowerCase();
    // "Close app" of the system's not-responding dialog kills the app; it closes no pop-up.
    if (/^aerr_/.test(shortId(target.resourceId))) continue;
    if (text && (CLOSE_RE.test(text) || (kind === 'dialog' && DISMISS_RE.test(text)))) candidates.push({ node: target, label: label(n) || controlLabel(target), by: 'label' });
    else if (id && CLOSE_ID_RE.test(id)) candidates.push({ node: target, label: label(n) || id, by: 'id' });
  }
  return candidates.find((c) => c.by === 'label') ?? candidates[0] ?? cornerIcon(nodes, container);
}

/** Share of the card's height (from its top) where a close icon sits. */
const CORNER_BAND = 0.2;

function cornerIcon(nodes: UiNode[], container: UiNode): PopupClose | undefined {
  const card = container.bounds;
  if (!card) return undefined;
  const width = card.x2 - card.x1;
  const height = card.y2 - card.y1;
  const icons = nodes.filter((n) => {
    const b = n.bounds;
    if (!b || !n.clickable || !n.enabled || n.checkable || controlLabel(n) !== '' || !/Image/.test(n.className)) return false;
    const w = b.x2 - b.x1;
    const h = b.y2 - b.y1;
    const square = w > 0 && h > 0 && Math.max(w, h) <= 1.5 * Math.min(w, h) && w <= 0.15 * width;
    const top = b.y1 - card.y1 <= CORNER_BAND * height;
    const side = b.x1 - card.x1 <= 0.15 * width || card.x2 - b.x2 <= 0.15 * width;
    return square && top && side;
  });
  if (icons.length === 0) return undefined;
  // Two corner icons: a full-width sheet puts close at the leading edge (Material's full-screen
  // dialog), a centred card at the trailing one.
  const leading = [...icons].sort((a, b) => a.bounds!.x1 - b.bounds!.x1);
  const fullWidth = container.parent !== undefined && container.parent.bounds !== undefined && width >= 0.95 * (container.parent.bounds.x2 - container.parent.bounds.x1);
  const icon = fullWidth ? leading[0]! : leading[leading.length - 1]!;
  return { node: icon, label: shortId(icon.resourceId) || 'icon', by: 'icon' };
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

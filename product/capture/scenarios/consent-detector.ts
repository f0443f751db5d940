import type { Selector } from './selector.js';
import {
  ACCEPT_RE,
  ACKNOWLEDGE_RE,
  CHECKBOX_CUE,
  CONFIRM_CUE,
  CONSENT_BODY_CUE,
  CONTINUE_RE,
  isButtonSized,
  LOGIN_CUE,
  normaliseLabel,
  POLICY_CUE,
  RECONSIDER_RE,
  REFUSE_PATTERNS,
} from './lexicon.js';
import { ancestors, area, clickTarget, controlLabel, label, screenBounds, shortId, subtree, type UiNode, type UiTree } from './ui-hierarchy.js';

/**
 * Finds the privacy-policy dialog in a UI dump and the controls a user would press, by text and
 * structure: a container whose text mentions the policy and asks for agreement, holding short
 * clickable controls whose labels accept, refuse or merely acknowledge. Pure functions over the
 * parsed dump, so they are tested on hand-written dumps of real-world layouts.
 */

export type ControlKind = 'accept' | 'continue' | 'refuse' | 'browse-only' | 'exit' | 'acknowledge' | 'reconsider';

export interface ConsentControl {
  kind: ControlKind;
  /** The node a tap should hit. */
  node: UiNode;
  label: string;
}

export interface ConsentCheckbox {
  node: UiNode;
  label: string;
  checked: boolean;
}

export interface ConsentDialog {
  /** `confirmation`: the "are you sure?" dialog that follows a refusal. */
  kind: 'policy' | 'confirmation';
  container: UiNode;
  /** Visible text of the dialog (capped), for markers and reports. */
  text: string;
  language: 'zh' | 'en';
  layout: 'native' | 'webview';
  accept: ConsentControl | undefined;
  /** The best refusing control: refuse, then browse-only, then exit. */
  refuse: ConsentControl | undefined;
  acknowledge: ConsentControl | undefined;
  reconsider: ConsentControl | undefined;
  controls: ConsentControl[];
  checkboxes: ConsentCheckbox[];
  /** A consent checkbox was already ticked before any tap (RD 三.4). */
  preTicked: boolean;
  /** Why this dialog gives consent by default, if it does (CONSENT-IMPLICIT). */
  implicit: 'pre-ticked' | 'acknowledgement-only' | undefined;
}

export interface ConsentOverrides {
  accept?: Selector;
  refuse?: Selector;
  confirm?: Selector;
  checkbox?: Selector;
}

export function classifyControl(rawLabel: string): ControlKind | undefined {
  const n = normaliseLabel(rawLabel);
  if (!isButtonSized(n) || POLICY_CUE.test(n)) return undefined;
  // Refusals first: "不同意" contains "同意", "仍然拒绝" is still a refusal.
  for (const p of REFUSE_PATTERNS) if (p.re.test(n)) return p.kind;
  if (RECONSIDER_RE.test(n)) return 'reconsider';
  if (ACCEPT_RE.test(n)) return 'accept';
  if (ACKNOWLEDGE_RE.test(n)) return 'acknowledge';
  if (CONTINUE_RE.test(n)) return 'continue';
  return undefined;
}

const REFUSE_ORDER: ControlKind[] = ['refuse', 'browse-only', 'exit'];

/** Every short labelled control in `nodes`, deduplicated by the node a tap would hit. */
function findControls(nodes: UiNode[]): ConsentControl[] {
  const seen = new Set<UiNode>();
  const out: ConsentControl[] = [];
  for (const node of nodes) {
    if (!node.enabled) continue;
    const target = clickTarget(node);
    if (!target || seen.has(target)) continue;
    // A clickable container's label is the text inside it; a text node names its clickable parent.
    const text = target === node ? controlLabel(node) : label(node);
    const kind = classifyControl(text);
    if (!kind) continue;
    seen.add(target);
    out.push({ kind, node: target, label: text });
  }
  return out;
}

function findCheckboxes(container: UiNode): ConsentCheckbox[] {
  return subtree(container)
    .filter((n) => n.checkable || /checkbox/i.test(n.className))
    .map((n) => {
      const own = label(n);
      const siblingText = (n.parent?.children ?? [])
        .filter((s) => s !== n)
        .map(controlLabel)
        .join(' ');
      return { node: n, label: own || siblingText, checked: n.checked };
    })
    .filter((c) => CHECKBOX_CUE.test(normaliseLabel(c.label)));
}

function visibleText(nodes: UiNode[]): string {
  return nodes
    .map(label)
    .filter(Boolean)
    .join(' ')
    .replace(/\s+/g, ' ')
    .slice(0, 2000);
}

/**
 * The controls of a container and its own words (text outside the controls). `buttons` counts
 * every button-like clickable, known or not: a dialog whose buttons are icons still ends the
 * climb, so the page behind it is never mistaken for the dialog.
 */
function qualifies(container: UiNode): { controls: ConsentControl[]; body: string; buttons: number } {
  const nodes = subtree(container);
  const controls = findControls(nodes);
  const known = new Set(controls.map((c) => c.node));
  const unknown = nodes.filter((n) => {
    if (!n.clickable || !n.enabled || known.has(n)) return false;
    const text = normaliseLabel(controlLabel(n));
    return text === '' ? area(n.bounds) > 0 : isButtonSized(text) && !POLICY_CUE.test(text);
  });
  // Words on buttons are not the dialog's words: "撤回同意" in a settings list asks for nothing.
  const controlNodes = new Set([...controls.map((c) => c.node), ...unknown].flatMap((n) => subtree(n)));
  const body = normaliseLabel(visibleText(nodes.filter((n) => !controlNodes.has(n))));
  return { controls, body, buttons: controls.length + unknown.length };
}

interface Candidate {
  container: UiNode;
  controls: ConsentControl[];
  body: string;
  score: number;
}

export interface DetectOptions {
  /** Per-app overrides: when one matches, its control wins over the heuristics. */
  overrides?: ConsentOverrides;
  appPackage?: string;
}

export function detectConsentDialog(tree: UiTree, options: DetectOptions = {}): ConsentDialog | undefined {
  const screen = screenBounds(tree);
  const candidates = new Map<UiNode, Candidate>();
  const cueNodes = tree.nodes.filter((n) => {
    const t = normaliseLabel(label(n));
    return POLICY_CUE.test(t) || CONFIRM_CUE.test(t);
  });
  for (const cue of cueNodes) {
    // The lowest ancestor that also holds a control is the dialog; going higher adds the page behind it.
    for (const container of [cue, ...ancestors(cue)]) {
      if (candidates.has(container)) break;
      const q = qualifies(container);
      if (q.buttons === 0) continue;
      const policy = POLICY_CUE.test(q.body);
      const confirm = CONFIRM_CUE.test(q.body);
      const kinds = new Set(q.controls.map((c) => c.kind));
      // Accept and refuse side by side under policy text is a consent request even when the
      // text never says "agree"; weaker controls need the words as well.
      const accepting = kinds.has('accept') || kinds.has('continue');
      const paired = accepting && REFUSE_ORDER.some((k) => kinds.has(k));
      if (!(policy && (paired || CONSENT_BODY_CUE.test(q.body))) && !confirm) break;
      // A login sheet's "I agree to the policy" line is a login condition: it has no accept
      // button of its own (its action is the login), so it is left to the pop-up detector.
      if (!accepting && !confirm && LOGIN_CUE.test(q.body)) break;
      const dialogLike =
        (screen !== undefined && area(container.bounds) > 0 && area(container.bounds) < 0.9 * area(screen)) ||
        /dialog|privacy|policy|agreement|protocol|consent|popup|privacy/i.test(`${container.className} ${container.resourceId}`);
      // A page that mentions privacy and offers only "Dismiss" or "OK" (a settings page's tip
      // card) asks for nothing; an acknowledgement-only notice is a dialog over the app.
      const asks = accepting || REFUSE_ORDER.some((k) => kinds.has(k)) || kinds.has('reconsider');
      if (!asks && !confirm && !dialogLike) break;
      const score =
        (kinds.has('accept') || kinds.has('continue') ? 3 : 0) +
        (REFUSE_ORDER.some((k) => kinds.has(k)) ? 3 : 0) +
        (kinds.has('acknowledge') ? 1 : 0) +
        (kinds.has('reconsider') ? 2 : 0) +
        (dialogLike ? 1 : 0);
      candidates.set(container, { container, controls: q.controls, body: q.body, score });
      break;
    }
  }
  const best = [...candidates.values()].sort((a, b) => b.score - a.score || area(a.container.bounds) - area(b.container.bounds))[0];
  const overridden = applyOverrides(tree, best, options);
  return overridden ?? (best ? describe(best) : undefined);
}

function pick(controls: ConsentControl[], kinds: ControlKind[]): ConsentControl | undefined {
  for (const k of kinds) {
    const c = controls.find((x) => x.kind === k);
    if (c) return c;
  }
  return undefined;
}

function describe(c: Candidate): ConsentDialog {
  const nodes = subtree(c.container);
  const text = visibleText(nodes);
  const checkboxes = findCheckboxes(c.container);
  const accept = pick(c.controls, ['accept', 'continue']);
  const refuse = pick(c.controls, REFUSE_ORDER);
  const acknowledge = pick(c.controls, ['acknowledge']);
  const reconsider = pick(c.controls, ['reconsider']);
  const preTicked = checkboxes.some((b) => b.checked);
  const confirmation = CONFIRM_CUE.test(c.body) || (reconsider !== undefined && refuse !== undefined);
  const implicit = preTicked ? 'pre-ticked' : !refuse && !reconsider && (acknowledge || accept) ? 'acknowledgement-only' : undefined;
  return {
    kind: confirmation ? 'confirmation' : 'policy',
    container: c.container,
    text: text.slice(0, 500),
    language: /[\u3400-\u9fff]/.test(text) ? 'zh' : 'en',
    layout: [...nodes, ...ancestors(c.container)].some((n) => /WebView$/.test(n.className)) ? 'webview' : 'native',
    accept: accept ?? (implicit === 'acknowledgement-only' ? acknowledge : undefined),
    refuse,
    acknowledge,
    reconsider,
    controls: c.controls,
    checkboxes,
    preTicked,
    implicit,
  };
}

/** Finds nodes a selector names, for the strategies that can be judged on a dump (not xpath). */
export function matchSelector(tree: UiTree, selector: Selector, appPackage?: string): UiNode[] {
  return tree.nodes.filter((n) => {
    if (selector.id !== undefined) {
      return selector.id.includes(':id/')
        ? n.resourceId === selector.id
        : shortId(n.resourceId) === selector.id && (!appPackage || n.resourceId.startsWith(`${appPackage}:`) || !n.resourceId.includes(':'));
    }
    if (selector.text !== undefined) return n.text === selector.text;
    if (selector.textContains !== undefined) return n.text.includes(selector.textContains);
    if (selector.accessibilityId !== undefined) return n.contentDesc === selector.accessibilityId;
    return false;
  });
}

function applyOverrides(tree: UiTree, best: Candidate | undefined, options: DetectOptions): ConsentDialog | undefined {
  const o = options.overrides;
  if (!o) return undefined;
  const find = (s: Selector | undefined, kind: ControlKind): ConsentControl | undefined => {
    const node = s ? matchSelector(tree, s, options.appPackage)[0] : undefined;
    const target = node ? (clickTarget(node) ?? node) : undefined;
    return target ? { kind, node: target, label: controlLabel(target) } : undefined;
  };
  const accept = find(o.accept, 'accept');
  const refuse = find(o.refuse, 'refuse') ?? find(o.confirm, 'refuse');
  const checkbox = o.checkbox ? matchSelector(tree, o.checkbox, options.appPackage)[0] : undefined;
  if (!accept && !refuse && !checkbox) return undefined;
  const base: Candidate = best ?? { container: (accept ?? refuse)?.node ?? checkbox!, controls: [], body: '', score: 0 };
  const dialog = describe({ ...base, controls: [...(accept ? [accept] : []), ...(refuse ? [refuse] : []), ...base.controls] });
  if (checkbox && !dialog.checkboxes.some((b) => b.node === checkbox)) {
    dialog.checkboxes.unshift({ node: checkbox, label: controlLabel(checkbox), checked: checkbox.checked });
  }
  return dialog;
}

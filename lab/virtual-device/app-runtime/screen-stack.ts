import type { Screen } from '../models/schema.js';
import { hitTest, layoutTree, STATUS_BAR_HEIGHT, windowFrame, type ScreenSize, type UiNode } from './screen-layout.js';

/** Dialogs and pop-ups: drawn as a card over the dimmed screen below. */
const MODAL_KINDS = new Set(['privacy-dialog', 'confirm-dialog', 'ad-popup']);

let screenSeq = 0;

/**
 * An app's back stack of screens with the state a user changes on them (typed text, ticked
 * boxes, the focused field). Only the top screen is shown and receives input.
 */
export class ScreenStack {
  private readonly screens: { seq: number; screen: Screen }[] = [];
  private readonly texts = new Map<string, string>();
  private readonly checks = new Map<string, boolean>();
  private focused: string | undefined;

  constructor(
    private readonly packageName: string,
    private readonly size: ScreenSize,
  ) {}

  get depth(): number {
    return this.screens.length;
  }

  top(): Screen | undefined {
    return this.screens.at(-1)?.screen;
  }

  /** Changes whenever another screen comes on top (element references go stale). */
  topSeq(): number {
    return this.screens.at(-1)?.seq ?? 0;
  }

  push(screen: Screen): void {
    this.screens.push({ seq: (screenSeq += 1), screen });
    this.focused = undefined;
  }

  /** Pops the top screen; false when it is the last one (the activity would finish). */
  pop(): boolean {
    if (this.screens.length <= 1) return false;
    this.screens.pop();
    this.focused = undefined;
    return true;
  }

  isModal(): boolean {
    const kind = this.top()?.kind;
    return kind !== undefined && MODAL_KINDS.has(kind);
  }

  /** The laid-out tree of the top screen inside a full-screen window. */
  tree(): UiNode {
    const size = this.size;
    const screen = this.top();
    const content: [number, number, number, number] = [0, STATUS_BAR_HEIGHT, size.width, size.height];
    if (!screen) return windowFrame(layoutTree({ ...BLANK }, this.packageName, content), size, this.packageName);
    let area = content;
    if (MODAL_KINDS.has(screen.kind) && !screen.root.bounds) {
      // A dialog without coordinates: centred card, 86 % wide, as AlertDialog draws it.
      const height = Math.min(size.height - 400, 300 + countLeaves(screen.root) * 156);
      const top = Math.round((size.height - height) / 2);
      area = [Math.round(size.width * 0.07), top, Math.round(size.width * 0.93), top + height];
    }
    const tree = layoutTree(screen.root, this.packageName, area, {
      textOf: (id) => this.texts.get(id),
      checkedOf: (id) => this.checks.get(id),
    });
    markFocus(tree, this.focused);
    return windowFrame(tree, size, this.packageName);
  }

  /** Applies a tap (focus, toggle) and returns the model id of the element hit, if any. */
  tap(x: number, y: number): string | undefined {
    const hit = hitTest(this.tree(), x, y);
    const id = hit?.modelId;
    if (!hit || !id) return undefined;
    if (hit.editable) this.focused = id;
    if (hit.checkable) this.checks.set(id, !hit.checked);
    return id;
  }

  typeText(text: string): void {
    if (!this.focused) return;
    this.texts.set(this.focused, this.textOfFocused() + text);
  }

  deleteChar(): void {
    if (!this.focused) return;
    this.texts.set(this.focused, [...this.textOfFocused()].slice(0, -1).join(''));
  }

  private textOfFocused(): string {
    return this.texts.get(this.focused!) ?? findText(this.top()?.root, this.focused!) ?? '';
  }
}

const BLANK = {
  class: 'android.widget.FrameLayout',
  text: '',
  contentDesc: '',
  clickable: false,
  checkable: false,
  checked: false,
  editable: false,
  password: false,
  scrollable: false,
  enabled: true,
  children: [],
};

function countLeaves(el: { children: { children: unknown[] }[] }): number {
  if (el.children.length === 0) return 1;
  return el.children.reduce((n, c) => n + countLeaves(c as never), 0);
}

function markFocus(node: UiNode, id: string | undefined): void {
  if (!id) return;
  if (node.modelId === id) node.focused = true;
  for (const c of node.children) markFocus(c, id);
}

function findText(el: Screen['root'] | undefined, id: string): string | undefined {
  if (!el) return undefined;
  if (el.id === id) return el.text;
  for (const c of el.children) {
    const t = findText(c, id);
    if (t !== undefined) return t;
  }
  return undefined;
}

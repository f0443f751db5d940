import type { UiElement } from '../models/schema.js';

/**
 * A laid-out UI tree: what UiAutomator would see for the window on top. Built from a model
 * screen (or a system dialog) once per display, so bounds are absolute and resource-ids full.
 */
export interface UiNode {
  className: string;
  packageName: string;
  /** Full resource id (`pkg:id/name`) or "". */
  resourceId: string;
  /** The id as the model wrote it (for tap triggers). */
  modelId: string | undefined;
  text: string;
  contentDesc: string;
  bounds: [number, number, number, number];
  clickable: boolean;
  checkable: boolean;
  checked: boolean;
  editable: boolean;
  password: boolean;
  scrollable: boolean;
  enabled: boolean;
  focused: boolean;
  children: UiNode[];
}

export interface ScreenSize {
  width: number;
  height: number;
  density: number;
}

/** Height of Android's status bar at ~420 dpi (24 dp); the app draws below it. */
export const STATUS_BAR_HEIGHT = 63;

const LEAF_HEIGHT = 132;
const GAP = 24;

/**
 * Lays out a model element tree inside `area`. Elements with explicit bounds keep them;
 * the others are stacked top to bottom in their parent, full width with a margin, so simple
 * models need no coordinates.
 */
export function layoutTree(
  element: UiElement,
  packageName: string,
  area: [number, number, number, number],
  state: { textOf?: (modelId: string) => string | undefined; checkedOf?: (modelId: string) => boolean | undefined } = {},
): UiNode {
  const bounds = element.bounds ?? area;
  const children: UiNode[] = [];
  let y = bounds[1] + GAP;
  for (const child of element.children) {
    let childArea: [number, number, number, number];
    if (child.bounds) {
      childArea = child.bounds;
    } else {
      const height = estimateHeight(child, bounds[2] - bounds[0]);
      childArea = [bounds[0] + GAP, y, bounds[2] - GAP, Math.min(bounds[3], y + height)];
      if (childArea[3] <= childArea[1]) childArea = [childArea[0], childArea[1], childArea[2], childArea[1] + 1];
      y = childArea[3] + GAP;
    }
    children.push(layoutTree(child, packageName, childArea, state));
  }
  const text = element.id ? (state.textOf?.(element.id) ?? element.text) : element.text;
  const checked = element.id ? (state.checkedOf?.(element.id) ?? element.checked) : element.checked;
  return {
    className: element.class,
    packageName,
    resourceId: element.id ? fullResourceId(element.id, packageName) : '',
    modelId: element.id,
    text,
    contentDesc: element.contentDesc,
    bounds,
    clickable: element.clickable || element.checkable || element.editable,
    checkable: element.checkable,
    checked,
    editable: element.editable,
    password: element.password,
    scrollable: element.scrollable,
    enabled: element.enabled,
    focused: false,
    children,
  };
}

function estimateHeight(element: UiElement, width: number): number {
  if (element.children.length > 0) {
    return element.children.reduce((sum, c) => sum + estimateHeight(c, width) + GAP, GAP);
  }
  // Long text wraps: roughly 28 px per character at this density, 60 px per line.
  const perLine = Math.max(1, Math.floor(width / 28));
  const lines = Math.max(1, Math.ceil(element.text.length / perLine));
  return Math.max(LEAF_HEIGHT, Math.min(lines * 60 + 40, 1400));
}

export function fullResourceId(id: string, packageName: string): string {
  return id.includes(':id/') ? id : `${packageName}:id/${id}`;
}

/** A full-screen window frame around the app's content, as a decor view would draw. */
export function windowFrame(content: UiNode, size: ScreenSize, packageName: string): UiNode {
  return {
    className: 'android.widget.FrameLayout',
    packageName,
    resourceId: '',
    modelId: undefined,
    text: '',
    contentDesc: '',
    bounds: [0, 0, size.width, size.height],
    clickable: false,
    checkable: false,
    checked: false,
    editable: false,
    password: false,
    scrollable: false,
    enabled: true,
    focused: false,
    children: [content],
  };
}

/** The deepest clickable node containing (x, y); later siblings are drawn on top. */
export function hitTest(node: UiNode, x: number, y: number): UiNode | undefined {
  if (!contains(node.bounds, x, y)) return undefined;
  for (let i = node.children.length - 1; i >= 0; i -= 1) {
    const hit = hitTest(node.children[i]!, x, y);
    if (hit) return hit;
  }
  return node.clickable && node.enabled ? node : undefined;
}

export function contains(b: [number, number, number, number], x: number, y: number): boolean {
  return x >= b[0] && x < b[2] && y >= b[1] && y < b[3];
}

export function* walk(node: UiNode): Generator<UiNode> {
  yield node;
  for (const child of node.children) yield* walk(child);
}

// XML 1.0 forbids most control characters even escaped; a hostile app's text must not break
// the dump (UiAutomator itself replaces them).
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

export function xmlAttr(value: string): string {
  return value
    .replace(XML_INVALID, '?')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

function boundsAttr(b: [number, number, number, number]): string {
  return `[${b[0]},${b[1]}][${b[2]},${b[3]}]`;
}

/** `uiautomator dump` format: `<node>` elements with UiAutomator's attribute order. */
export function toUiAutomatorDump(root: UiNode, rotation = 0): string {
  const out: string[] = [`<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation="${rotation}">`];
  const emit = (node: UiNode, index: number): void => {
    out.push(
      `<node index="${index}" text="${xmlAttr(node.text)}" resource-id="${xmlAttr(node.resourceId)}" class="${xmlAttr(node.className)}"` +
        ` package="${xmlAttr(node.packageName)}" content-desc="${xmlAttr(node.contentDesc)}" checkable="${node.checkable}"` +
        ` checked="${node.checked}" clickable="${node.clickable}" enabled="${node.enabled}" focusable="${node.clickable || node.editable}"` +
        ` focused="${node.focused}" scrollable="${node.scrollable}" long-clickable="false" password="${node.password}"` +
        ` selected="false" bounds="${boundsAttr(node.bounds)}"`,
    );
    if (node.children.length === 0) {
      out.push(' />');
      return;
    }
    out.push('>');
    node.children.forEach((c, i) => emit(c, i));
    out.push('</node>');
  };
  emit(root, 0);
  out.push('</hierarchy>');
  return out.join('');
}

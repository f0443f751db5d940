import { XMLParser } from 'fast-xml-parser';

/**
 * The UI hierarchy as UiAutomator reports it, in either dialect: `uiautomator dump` writes
 * `<node class="...">` elements, the Appium UiAutomator2 server's page source names each element
 * by its class (`<android.widget.Button ...>`). Both carry the same attributes, which is all the
 * detectors read. Parsing is bounded: app text is untrusted and dumps of hostile apps can be huge.
 */

export interface Bounds {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface UiNode {
  className: string;
  text: string;
  resourceId: string;
  contentDesc: string;
  package: string;
  checkable: boolean;
  checked: boolean;
  clickable: boolean;
  enabled: boolean;
  scrollable: boolean;
  bounds: Bounds | undefined;
  depth: number;
  /** Document order, for stable results. */
  order: number;
  parent: UiNode | undefined;
  children: UiNode[];
}

export interface UiTree {
  root: UiNode;
  /** Every node in document order (the synthetic root excluded). */
  nodes: UiNode[];
  /** The display size when the dump states it (Appium's `<hierarchy width height>`). */
  screen?: Bounds;
}

const MAX_NODES = 20_000;
const MAX_DEPTH = 200;
const MAX_XML_CHARS = 8 * 1024 * 1024;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: true,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

export function parseUiTree(xml: string): UiTree {
  const root = emptyNode('hierarchy', undefined);
  const nodes: UiNode[] = [];
  if (xml.length > MAX_XML_CHARS) xml = xml.slice(0, MAX_XML_CHARS);
  let doc: OrderedNode[];
  try {
    doc = parser.parse(xml) as OrderedNode[];
  } catch {
    return { root, nodes };
  }
  let screen: Bounds | undefined;
  const visit = (items: OrderedNode[], parent: UiNode, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    for (const item of items) {
      if (nodes.length >= MAX_NODES) return;
      const tag = Object.keys(item).find((k) => k !== ':@');
      if (!tag || tag === '#text' || tag.startsWith('?')) continue;
      const children = (item[tag] as OrderedNode[] | undefined) ?? [];
      if (tag === 'hierarchy') {
        const size = item[':@'] ?? {};
        const width = Number(size.width);
        const height = Number(size.height);
        if (width > 0 && height > 0) screen = { x1: 0, y1: 0, x2: width, y2: height };
        visit(children, parent, depth);
        continue;
      }
      const attrs = item[':@'] ?? {};
      const node = fromAttributes(tag, attrs, parent, depth, nodes.length);
      parent.children.push(node);
      nodes.push(node);
      visit(children, node, depth + 1);
    }
  };
  visit(doc, root, 0);
  return screen ? { root, nodes, screen } : { root, nodes };
}

function fromAttributes(tag: string, a: Record<string, string>, parent: UiNode, depth: number, order: number): UiNode {
  const flag = (k: string) => a[k] === 'true';
  return {
    className: a.class ?? (tag === 'node' ? '' : tag),
    text: a.text ?? '',
    resourceId: a['resource-id'] ?? '',
    contentDesc: a['content-desc'] ?? '',
    package: a.package ?? '',
    checkable: flag('checkable'),
    checked: flag('checked'),
    clickable: flag('clickable'),
    enabled: a.enabled === undefined ? true : flag('enabled'),
    scrollable: flag('scrollable'),
    bounds: parseBounds(a.bounds),
    depth,
    order,
    parent,
    children: [],
  };
}

function emptyNode(className: string, parent: UiNode | undefined): UiNode {
  return {
    className,
    text: '',
    resourceId: '',
    contentDesc: '',
    package: '',
    checkable: false,
    checked: false,
    clickable: false,
    enabled: true,
    scrollable: false,
    bounds: undefined,
    depth: -1,
    order: -1,
    parent,
    children: [],
  };
}

export function parseBounds(raw: string | undefined): Bounds | undefined {
  const m = raw?.match(/^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$/);
  if (!m) return undefined;
  return { x1: Number(m[1]), y1: Number(m[2]), x2: Number(m[3]), y2: Number(m[4]) };
}

export function centre(b: Bounds): { x: number; y: number } {
  return { x: Math.round((b.x1 + b.x2) / 2), y: Math.round((b.y1 + b.y2) / 2) };
}

export function area(b: Bounds | undefined): number {
  return b ? Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1) : 0;
}

/** The node and all its descendants, in document order. */
export function subtree(node: UiNode): UiNode[] {
  const out: UiNode[] = [];
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i -= 1) stack.push(n.children[i]!);
  }
  return out;
}

/** What a person reads on a node: its text, or its content description. */
export function label(node: UiNode): string {
  return (node.text || node.contentDesc).trim();
}

/**
 * The label of a control: its own text, or the text of its descendants (a clickable
 * LinearLayout around a TextView is a button to the user).
 */
export function controlLabel(node: UiNode): string {
  const own = label(node);
  if (own) return own;
  return subtree(node)
    .slice(1)
    .map(label)
    .filter(Boolean)
    .join(' ')
    .trim();
}

export function ancestors(node: UiNode): UiNode[] {
  const out: UiNode[] = [];
  for (let p = node.parent; p && p.depth >= 0; p = p.parent) out.push(p);
  return out;
}

/** The nearest clickable node at or above `node` (what a tap on its text would hit). */
export function clickTarget(node: UiNode): UiNode | undefined {
  if (node.clickable) return node;
  return ancestors(node).find((a) => a.clickable);
}

/** Short id (`agree` from `com.app:id/agree`). */
export function shortId(resourceId: string): string {
  const i = resourceId.indexOf(':id/');
  return i >= 0 ? resourceId.slice(i + 4) : resourceId;
}

/** The package most nodes belong to (the foreground window's), ignoring the system UI. */
export function dominantPackage(tree: UiTree): string | undefined {
  const counts = new Map<string, number>();
  for (const n of tree.nodes) {
    if (!n.package || n.package === 'com.android.systemui') continue;
    counts.set(n.package, (counts.get(n.package) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [pkg, count] of counts) {
    if (count > bestCount) {
      best = pkg;
      bestCount = count;
    }
  }
  return best;
}

/**
 * Screen size, as well as the dump tells it: the size Appium states, else the box around every
 * top-level window (uiautomator2 dumps list the status and navigation bars as windows of their
 * own, which span the screen). A dump of one dialog window (`uiautomator dump` while a dialog is
 * up) only knows the dialog: callers that can should pass the device's real size.
 */
export function screenBounds(tree: UiTree): Bounds | undefined {
  if (tree.screen) return tree.screen;
  let box: Bounds | undefined;
  for (const n of tree.root.children) {
    const b = n.bounds;
    if (!b || area(b) === 0) continue;
    box = box ? { x1: Math.min(box.x1, b.x1), y1: Math.min(box.y1, b.y1), x2: Math.max(box.x2, b.x2), y2: Math.max(box.y2, b.y2) } : b;
  }
  return box;
}

/** System bars are windows of their own in uiautomator2 dumps; they are never the app's content. */
export function isSystemBar(window: UiNode): boolean {
  return window.package === 'com.android.systemui' && subtree(window).some((n) => /(^|_)(navigation_bar|status_bar)/.test(shortId(n.resourceId)));
}

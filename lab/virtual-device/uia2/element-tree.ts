import { XMLParser } from 'fast-xml-parser';

/**
 * The UI as the UiAutomator2 server sees it: parsed from the AppHost's `uiautomator dump`
 * XML (the only UI the seam offers), with document order and child paths so elements can be
 * found again after the screen is re-read.
 */
export interface ElementNode {
  /** Appium's tag: the widget class ("android.widget.Button"); "hierarchy" for the root. */
  tag: string;
  attrs: Record<string, string>;
  children: ElementNode[];
  parent: ElementNode | undefined;
  /** Child indices from the hierarchy root. */
  path: number[];
  /** Document order, for XPath's node-set ordering. */
  order: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  preserveOrder: true,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
});

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

/** Parses a dump into a tree whose root is the `hierarchy` element. */
export function parseDump(xml: string, size: { width: number; height: number }): ElementNode {
  const doc = parser.parse(xml) as Ordered[];
  const hierarchy = doc.find((n) => 'hierarchy' in n);
  const root: ElementNode = {
    tag: 'hierarchy',
    attrs: {
      index: '0',
      class: 'hierarchy',
      rotation: hierarchy?.[':@']?.rotation ?? '0',
      width: String(size.width),
      height: String(size.height),
    },
    children: [],
    parent: undefined,
    path: [],
    order: 0,
  };
  let order = 1;
  const build = (items: Ordered[], parent: ElementNode): void => {
    for (const item of items) {
      if (!('node' in item)) continue;
      const a = item[':@'] ?? {};
      const node: ElementNode = {
        tag: a.class || 'android.view.View',
        attrs: {
          index: a.index ?? String(parent.children.length),
          package: a.package ?? '',
          class: a.class ?? '',
          text: a.text ?? '',
          'resource-id': a['resource-id'] ?? '',
          'content-desc': a['content-desc'] ?? '',
          checkable: a.checkable ?? 'false',
          checked: a.checked ?? 'false',
          clickable: a.clickable ?? 'false',
          enabled: a.enabled ?? 'true',
          focusable: a.focusable ?? 'false',
          focused: a.focused ?? 'false',
          'long-clickable': a['long-clickable'] ?? 'false',
          password: a.password ?? 'false',
          scrollable: a.scrollable ?? 'false',
          selected: a.selected ?? 'false',
          bounds: a.bounds ?? '[0,0][0,0]',
          displayed: 'true',
        },
        children: [],
        parent,
        path: [...parent.path, parent.children.length],
        order: order++,
      };
      parent.children.push(node);
      build((item.node as Ordered[]) ?? [], node);
    }
  };
  build((hierarchy?.hierarchy as Ordered[]) ?? [], root);
  return root;
}

export function* descendants(node: ElementNode): Generator<ElementNode> {
  for (const c of node.children) {
    yield c;
    yield* descendants(c);
  }
}

export function nodeAtPath(root: ElementNode, path: number[]): ElementNode | undefined {
  let node: ElementNode | undefined = root;
  for (const i of path) node = node?.children[i];
  return node;
}

export function boundsOf(node: ElementNode): { x: number; y: number; width: number; height: number } {
  const m = /^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$/.exec(node.attrs.bounds ?? '');
  if (!m) return { x: 0, y: 0, width: 0, height: 0 };
  const [x1, y1, x2, y2] = m.slice(1).map(Number) as [number, number, number, number];
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

function escapeAttr(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}

/** XML element names cannot hold `$` and friends; Appium writes such classes with `_`. */
function tagName(tag: string): string {
  const cleaned = tag.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** Appium's page source: one element per view, named after its class. */
export function toAppiumSource(root: ElementNode): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const emit = (node: ElementNode): void => {
    const attrs = Object.entries(node.attrs)
      .map(([k, v]) => `${k}="${escapeAttr(v)}"`)
      .join(' ');
    const name = tagName(node.tag);
    if (node.children.length === 0) {
      out.push(`<${name} ${attrs} />`);
      return;
    }
    out.push(`<${name} ${attrs}>`);
    node.children.forEach(emit);
    out.push(`</${name}>`);
  };
  emit(root);
  return out.join('\n');
}

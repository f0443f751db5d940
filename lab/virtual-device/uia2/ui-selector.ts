import type { ElementNode } from './element-tree.js';
import { descendants } from './element-tree.js';

/**
 * The `-android uiautomator` strategy: Java-like `new UiSelector().text("OK").clickable(true)`
 * chains, parsed (never evaluated as code) into attribute tests. Supports the UiSelector
 * methods labs use; `.instance(n)` and `.index(n)` as UiAutomator defines them.
 */
export class UiSelectorError extends Error {}

type Test = (n: ElementNode) => boolean;

interface Selector {
  tests: Test[];
  instance?: number;
  children: Selector[];
}

const ATTR: Record<string, string> = {
  text: 'text',
  description: 'content-desc',
  resourceId: 'resource-id',
  className: 'class',
  packageName: 'package',
};

const BOOL: Record<string, string> = {
  clickable: 'clickable',
  checkable: 'checkable',
  checked: 'checked',
  enabled: 'enabled',
  focusable: 'focusable',
  focused: 'focused',
  scrollable: 'scrollable',
  selected: 'selected',
  longClickable: 'long-clickable',
};

function parseArg(raw: string): string | number | boolean {
  const s = raw.trim();
  if (/^"(?:[^"\\]|\\.)*"$/.test(s)) return JSON.parse(s) as string;
  if (/^'(?:[^'\\]|\\.)*'$/.test(s)) return s.slice(1, -1);
  if (s === 'true' || s === 'false') return s === 'true';
  if (/^-?\d+$/.test(s)) return Number(s);
  // android.widget.Button.class → "android.widget.Button"
  if (/^[\w.$]+\.class$/.test(s)) return s.slice(0, -'.class'.length);
  throw new UiSelectorError(`cannot read the argument ${s}`);
}

/** Splits `a("x").b(1)` into calls, respecting quotes and nested parentheses. */
function calls(src: string): { name: string; arg: string }[] {
  const out: { name: string; arg: string }[] = [];
  let i = 0;
  while (i < src.length) {
    const m = /^\s*\.?\s*([A-Za-z]+)\s*\(/.exec(src.slice(i));
    if (!m) throw new UiSelectorError(`cannot parse UiSelector near "${src.slice(i, i + 30)}"`);
    i += m[0].length;
    let depth = 1;
    let quote: string | undefined;
    const start = i;
    for (; i < src.length && depth > 0; i += 1) {
      const c = src[i]!;
      if (quote) {
        if (c === '\\') i += 1;
        else if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '(') depth += 1;
      else if (c === ')') depth -= 1;
    }
    if (depth !== 0) throw new UiSelectorError('unbalanced parentheses in UiSelector');
    out.push({ name: m[1]!, arg: src.slice(start, i - 1) });
    while (src[i] === ';' || (src[i] && /\s/.test(src[i]!))) i += 1;
  }
  return out;
}

function parseSelector(src: string): Selector {
  const body = src.trim().replace(/^new\s+UiSelector\s*\(\s*\)/, '');
  const sel: Selector = { tests: [], children: [] };
  for (const { name, arg } of calls(body)) {
    if (name === 'childSelector' || name === 'fromParent') {
      sel.children.push(parseSelector(arg));
      continue;
    }
    const value = parseArg(arg || 'true');
    const attr = ATTR[name.replace(/(Contains|StartsWith|Matches)$/, '')];
    if (attr) {
      const v = String(value);
      if (name.endsWith('Contains')) sel.tests.push((n) => (n.attrs[attr] ?? '').includes(v));
      else if (name.endsWith('StartsWith')) sel.tests.push((n) => (n.attrs[attr] ?? '').startsWith(v));
      else if (name.endsWith('Matches')) {
        const re = new RegExp(`^(?:${v})$`, 's');
        sel.tests.push((n) => re.test(n.attrs[attr] ?? ''));
      } else sel.tests.push((n) => (n.attrs[attr] ?? '') === v);
    } else if (BOOL[name]) {
      const attrName = BOOL[name];
      sel.tests.push((n) => n.attrs[attrName] === String(value));
    } else if (name === 'index') {
      sel.tests.push((n) => n.attrs.index === String(value));
    } else if (name === 'instance') {
      sel.instance = Number(value);
    } else {
      throw new UiSelectorError(`UiSelector.${name}() is not supported`);
    }
  }
  return sel;
}

function match(sel: Selector, scope: ElementNode): ElementNode[] {
  let found = [...descendants(scope)].filter((n) => sel.tests.every((t) => t(n)));
  for (const child of sel.children) found = found.flatMap((n) => match(child, n)).slice(0);
  if (sel.instance !== undefined) found = found.slice(sel.instance, sel.instance + 1);
  return [...new Set(found)];
}

/** Elements selected by a UiSelector (or a `new UiScrollable(...)` wrapper's selector). */
export function findByUiSelector(expression: string, scope: ElementNode): ElementNode[] {
  let src = expression.trim();
  const scrollable = /^new\s+UiScrollable\s*\(\s*(new\s+UiSelector\(\)[^]*?)\)\s*\.\s*scrollIntoView\s*\(([^]*)\)\s*;?$/.exec(src);
  if (scrollable) src = scrollable[2]!;
  return match(parseSelector(src.replace(/;\s*$/, '')), scope);
}

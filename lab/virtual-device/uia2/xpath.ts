import type { ElementNode } from './element-tree.js';

/**
 * The XPath 1.0 subset Appium users write against the page source: absolute and relative
 * paths, `//`, the usual axes, `*`, positional and boolean predicates, `@attr` comparisons,
 * `contains`, `starts-with`, `ends-with`, `not`, `last`, `position`, `text()` (the text
 * attribute, as Appium's source has no text nodes), `and`/`or` and `|` unions.
 */
export class XPathError extends Error {}

type Token = { kind: 'op' | 'name' | 'string' | 'number'; value: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (two === '//' || two === '!=' || two === '::' || two === '..' || two === '<=' || two === '>=') {
      tokens.push({ kind: 'op', value: two });
      i += 2;
      continue;
    }
    if ('/[]()@,=|*.<>'.includes(c)) {
      tokens.push({ kind: 'op', value: c });
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new XPathError(`unterminated string at ${i}`);
      tokens.push({ kind: 'string', value: src.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      tokens.push({ kind: 'number', value: num[0] });
      i += num[0].length;
      continue;
    }
    const name = /^[\p{L}_][\p{L}\p{N}_.$-]*/u.exec(src.slice(i));
    if (name) {
      // A trailing "." belongs to the name only if followed by more name characters.
      tokens.push({ kind: 'name', value: name[0] });
      i += name[0].length;
      continue;
    }
    throw new XPathError(`unexpected "${c}" at ${i}`);
  }
  return tokens;
}

type Value = string | number | boolean | ElementNode[];

type Expr = (ctx: { node: ElementNode; position: number; size: number }) => Value;

type Axis = 'child' | 'descendant' | 'descendant-or-self' | 'self' | 'parent' | 'ancestor' | 'ancestor-or-self' | 'following-sibling' | 'preceding-sibling';

interface Step {
  axis: Axis;
  test: string;
  predicates: Expr[];
}

const AXES = new Set<Axis>(['child', 'descendant', 'descendant-or-self', 'self', 'parent', 'ancestor', 'ancestor-or-self', 'following-sibling', 'preceding-sibling']);

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private isOp(value: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t?.kind === 'op' && t.value === value;
  }

  private expect(value: string): void {
    if (!this.isOp(value)) throw new XPathError(`expected "${value}"`);
    this.pos += 1;
  }

  parseAll(): Expr {
    const e = this.parseOr();
    if (this.pos < this.tokens.length) throw new XPathError(`unexpected "${this.peek()!.value}"`);
    return e;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.peek()?.kind === 'name' && this.peek()!.value === 'or') {
      this.pos += 1;
      const l = left;
      const r = this.parseAnd();
      left = (ctx) => truthy(l(ctx)) || truthy(r(ctx));
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseCompare();
    while (this.peek()?.kind === 'name' && this.peek()!.value === 'and') {
      this.pos += 1;
      const l = left;
      const r = this.parseCompare();
      left = (ctx) => truthy(l(ctx)) && truthy(r(ctx));
    }
    return left;
  }

  private parseCompare(): Expr {
    const left = this.parseUnion();
    for (const op of ['=', '!=', '<', '>', '<=', '>=']) {
      if (this.isOp(op)) {
        this.pos += 1;
        const right = this.parseUnion();
        return (ctx) => compare(left(ctx), right(ctx), op);
      }
    }
    return left;
  }

  private parseUnion(): Expr {
    let left = this.parsePrimary();
    while (this.isOp('|')) {
      this.pos += 1;
      const l = left;
      const r = this.parsePrimary();
      left = (ctx) => sortUnique([...asNodes(l(ctx)), ...asNodes(r(ctx))]);
    }
    return left;
  }

  private parsePrimary(): Expr {
    const t = this.peek();
    if (!t) throw new XPathError('unexpected end of expression');
    if (t.kind === 'string') {
      this.pos += 1;
      return () => t.value;
    }
    if (t.kind === 'number') {
      this.pos += 1;
      return () => Number(t.value);
    }
    if (this.isOp('(')) {
      this.pos += 1;
      const inner = this.parseOr();
      this.expect(')');
      return this.parseFilterTail(inner);
    }
    if (this.isOp('@')) {
      this.pos += 1;
      const name = this.peek();
      if (!name || (name.kind !== 'name' && !(name.kind === 'op' && name.value === '*'))) throw new XPathError('expected an attribute name');
      this.pos += 1;
      return (ctx) => (name.value === '*' ? '' : (ctx.node.attrs[name.value] ?? ''));
    }
    if (t.kind === 'name' && this.isOp('(', 1) && !['node', 'text'].includes(t.value)) {
      return this.parseFunction();
    }
    if (t.kind === 'name' && t.value === 'text' && this.isOp('(', 1) && this.isOp(')', 2) && !this.isOp('/', 3)) {
      this.pos += 3;
      return (ctx) => ctx.node.attrs.text ?? '';
    }
    return this.parsePath();
  }

  /** `(expr)[n]/step...`: predicates over the whole node-set, then further steps. */
  private parseFilterTail(inner: Expr): Expr {
    const predicates: Expr[] = [];
    while (this.isOp('[')) {
      this.pos += 1;
      predicates.push(this.parseOr());
      this.expect(']');
    }
    const steps: Step[] = [];
    while (this.isOp('/') || this.isOp('//')) {
      if (this.isOp('//')) steps.push({ axis: 'descendant-or-self', test: 'node()', predicates: [] });
      this.pos += 1;
      steps.push(this.parseStep());
    }
    if (predicates.length === 0 && steps.length === 0) return inner;
    return (ctx) => {
      let nodes = asNodes(inner(ctx));
      for (const predicate of predicates) {
        const size = nodes.length;
        nodes = nodes.filter((node, i) => {
          const v = predicate({ node, position: i + 1, size });
          return typeof v === 'number' ? v === i + 1 : truthy(v);
        });
      }
      for (const step of steps) nodes = applyStep(nodes, step);
      return nodes;
    };
  }

  private parseFunction(): Expr {
    const name = this.peek()!.value;
    this.pos += 2;
    const args: Expr[] = [];
    while (!this.isOp(')')) {
      args.push(this.parseOr());
      if (this.isOp(',')) this.pos += 1;
      else break;
    }
    this.expect(')');
    const str = (e: Expr | undefined, ctx: Parameters<Expr>[0]): string => (e ? asString(e(ctx)) : (ctx.node.attrs.text ?? ''));
    switch (name) {
      case 'contains':
        return (ctx) => str(args[0], ctx).includes(str(args[1], ctx));
      case 'starts-with':
        return (ctx) => str(args[0], ctx).startsWith(str(args[1], ctx));
      case 'ends-with':
        return (ctx) => str(args[0], ctx).endsWith(str(args[1], ctx));
      case 'not':
        return (ctx) => !truthy(args[0]!(ctx));
      case 'last':
        return (ctx) => ctx.size;
      case 'position':
        return (ctx) => ctx.position;
      case 'string':
        return (ctx) => str(args[0], ctx);
      case 'normalize-space':
        return (ctx) => str(args[0], ctx).trim().replace(/\s+/g, ' ');
      case 'string-length':
        return (ctx) => str(args[0], ctx).length;
      case 'true':
        return () => true;
      case 'false':
        return () => false;
      case 'count':
        return (ctx) => asNodes(args[0]!(ctx)).length;
      default:
        throw new XPathError(`unsupported function ${name}()`);
    }
  }

  private parsePath(): Expr {
    let absolute = false;
    const steps: Step[] = [];
    if (this.isOp('/') || this.isOp('//')) {
      absolute = true;
      if (this.isOp('//')) steps.push({ axis: 'descendant-or-self', test: 'node()', predicates: [] });
      this.pos += 1;
      if (!this.peek() || (this.peek()!.kind === 'op' && !['*', '.', '..', '@'].includes(this.peek()!.value))) {
        return (ctx) => [rootOf(ctx.node)];
      }
    }
    steps.push(this.parseStep());
    while (this.isOp('/') || this.isOp('//')) {
      if (this.isOp('//')) steps.push({ axis: 'descendant-or-self', test: 'node()', predicates: [] });
      this.pos += 1;
      steps.push(this.parseStep());
    }
    return (ctx) => {
      let nodes = absolute ? [rootOf(ctx.node)] : [ctx.node];
      for (const step of steps) nodes = applyStep(nodes, step);
      return nodes;
    };
  }

  private parseStep(): Step {
    if (this.isOp('.')) {
      this.pos += 1;
      return { axis: 'self', test: 'node()', predicates: [] };
    }
    if (this.isOp('..')) {
      this.pos += 1;
      return { axis: 'parent', test: 'node()', predicates: [] };
    }
    let axis: Axis = 'child';
    const t = this.peek();
    if (t?.kind === 'name' && this.isOp('::', 1)) {
      if (!AXES.has(t.value as Axis)) throw new XPathError(`unsupported axis ${t.value}`);
      axis = t.value as Axis;
      this.pos += 2;
    }
    let test: string;
    const n = this.peek();
    if (n?.kind === 'op' && n.value === '*') {
      test = '*';
      this.pos += 1;
    } else if (n?.kind === 'name') {
      test = n.value;
      this.pos += 1;
      if ((test === 'node' || test === 'text') && this.isOp('(')) {
        this.pos += 1;
        this.expect(')');
        test = `${test}()`;
      }
    } else {
      throw new XPathError('expected a node test');
    }
    const predicates: Expr[] = [];
    while (this.isOp('[')) {
      this.pos += 1;
      predicates.push(this.parseOr());
      this.expect(']');
    }
    return { axis, test, predicates };
  }
}

/** A virtual document node above `hierarchy`, so `/hierarchy/...` works. */
const documents = new WeakMap<ElementNode, ElementNode>();

function rootOf(node: ElementNode): ElementNode {
  let n = node;
  while (n.parent) n = n.parent;
  if (n.tag === '#document') return n;
  let doc = documents.get(n);
  if (!doc) {
    doc = { tag: '#document', attrs: {}, children: [n], parent: undefined, path: [], order: -1 };
    documents.set(n, doc);
  }
  return doc;
}

function parentOf(node: ElementNode): ElementNode | undefined {
  if (node.parent) return node.parent;
  return node.tag === '#document' ? undefined : rootOf(node);
}

function axisNodes(node: ElementNode, axis: Axis): ElementNode[] {
  switch (axis) {
    case 'self':
      return [node];
    case 'child':
      return node.children;
    case 'descendant': {
      const out: ElementNode[] = [];
      const walk = (n: ElementNode): void => n.children.forEach((c) => (out.push(c), walk(c)));
      walk(node);
      return out;
    }
    case 'descendant-or-self':
      return [node, ...axisNodes(node, 'descendant')];
    case 'parent': {
      const p = parentOf(node);
      return p ? [p] : [];
    }
    case 'ancestor':
    case 'ancestor-or-self': {
      const out: ElementNode[] = axis === 'ancestor-or-self' ? [node] : [];
      for (let p = parentOf(node); p; p = parentOf(p)) out.push(p);
      return out;
    }
    case 'following-sibling': {
      const sibs = parentOf(node)?.children ?? [];
      return sibs.slice(sibs.indexOf(node) + 1);
    }
    case 'preceding-sibling': {
      const sibs = parentOf(node)?.children ?? [];
      return sibs.slice(0, sibs.indexOf(node)).reverse();
    }
  }
}

function applyStep(contexts: ElementNode[], step: Step): ElementNode[] {
  const out: ElementNode[] = [];
  for (const ctx of contexts) {
    let nodes = axisNodes(ctx, step.axis).filter((n) => {
      if (step.test === 'node()') return true;
      if (n.tag === '#document') return false;
      if (step.test === '*') return true;
      if (step.test === 'text()') return false;
      return n.tag === step.test || n.tag.replace(/[^A-Za-z0-9_.-]/g, '_') === step.test;
    });
    for (const predicate of step.predicates) {
      const size = nodes.length;
      nodes = nodes.filter((node, i) => {
        const v = predicate({ node, position: i + 1, size });
        return typeof v === 'number' ? v === i + 1 : truthy(v);
      });
    }
    out.push(...nodes);
  }
  return sortUnique(out);
}

function sortUnique(nodes: ElementNode[]): ElementNode[] {
  return [...new Set(nodes)].sort((a, b) => a.order - b.order);
}

function asNodes(v: Value): ElementNode[] {
  return Array.isArray(v) ? v : [];
}

function asString(v: Value): string {
  if (Array.isArray(v)) return v[0]?.attrs.text ?? '';
  return String(v);
}

function truthy(v: Value): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'string') return v.length > 0;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return v;
}

function compare(a: Value, b: Value, op: string): boolean {
  const left = Array.isArray(a) ? a.map((n) => n.attrs.text ?? '') : [a];
  const right = Array.isArray(b) ? b.map((n) => n.attrs.text ?? '') : [b];
  return left.some((l) =>
    right.some((r) => {
      if (op === '=' || op === '!=') {
        const eq = typeof l === 'number' || typeof r === 'number' ? Number(l) === Number(r) : String(l) === String(r);
        return op === '=' ? eq : !eq;
      }
      const x = Number(l);
      const y = Number(r);
      return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
    }),
  );
}

/** Elements matching `expression` under `context` (default: the whole tree), in document order. */
export function evaluateXPath(expression: string, context: ElementNode): ElementNode[] {
  const expr = new Parser(tokenize(expression)).parseAll();
  const result = expr({ node: context, position: 1, size: 1 });
  if (!Array.isArray(result)) throw new XPathError('the expression does not select elements');
  return result.filter((n) => n.tag !== '#document');
}

/**
 * Turns Java values into short strings for events. Identifier values are kept whole (they are the
 * evidence the traffic scanner matches); only values longer than the limit are cut, and the cut is
 * marked with the original length so a reader knows.
 */

const MAX_ITEMS = 16;

export function summarise(value: unknown, maxChars: number): string {
  return truncate(render(value, 0), maxChars);
}

export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, Math.max(0, maxChars - 24))}…(${text.length} chars)`;
}

function render(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'function':
      return '<function>';
    default:
      break;
  }
  if (Array.isArray(value)) {
    // byte[] arrive as arrays of numbers: say how many rather than dumping them.
    if (value.length > MAX_ITEMS && value.every((v) => typeof v === 'number')) return `byte[${value.length}]`;
    if (depth > 1) return `[${value.length} items]`;
    const items = value.slice(0, MAX_ITEMS).map((v) => render(v, depth + 1));
    return `[${items.join(', ')}${value.length > MAX_ITEMS ? `, …${value.length - MAX_ITEMS} more` : ''}]`;
  }
  try {
    // Java wrappers: toString() is the Java object's own toString().
    const text = (value as { toString(): unknown }).toString();
    if (typeof text === 'string' && text !== '[object Object]') return text;
  } catch {
    // A toString() that throws is the app's problem; fall back to the class name.
  }
  const className = (value as { $className?: unknown }).$className;
  return typeof className === 'string' ? `<${className}>` : '<object>';
}

/** Permission names from a String or String[] argument. */
export function permissionNames(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  if (value !== null && typeof value === 'object' && typeof (value as { length?: unknown }).length === 'number') {
    const out: string[] = [];
    const list = value as ArrayLike<unknown>;
    for (let i = 0; i < list.length && i < 64; i += 1) if (typeof list[i] === 'string') out.push(list[i] as string);
    return out;
  }
  return [];
}

/** A throwable as "class: message", from a Java exception wrapper or a JS error. */
export function describeThrowable(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (error !== null && typeof error === 'object') return render(error, 0);
  return String(error);
}

import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { InputError } from './errors.js';

/**
 * Reads a YAML or JSON file and validates it with a zod schema. On failure the error names the
 * file, the line (for YAML and JSON alike: JSON is valid YAML, so one parser gives positions for
 * both), the path of the field and what was expected.
 */
export function loadValidatedFile<S extends z.ZodType>(file: string, schema: S, what = 'file'): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new InputError('FILE_UNREADABLE', `cannot read the ${what}: ${(cause as Error).message}`, { file, cause });
  }
  return parseValidated(text, file, schema, what);
}

export function parseValidated<S extends z.ZodType>(text: string, file: string, schema: S, what = 'file'): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    const kind = extname(file).toLowerCase() === '.json' ? 'JSON' : 'YAML';
    throw new InputError('FILE_SYNTAX', `not valid ${kind}: ${first.message.split('\n')[0]}`, {
      file,
      ...(line ? { line } : {}),
    });
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  const result = schema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const path = issue.path.map(String);
    const line = lineOf(doc, lineCounter, issue.path as (string | number)[]);
    throw new InputError('FILE_INVALID', `${issue.message} in the ${what}`, {
      file,
      field: path.length ? path.join('.') : '(top level)',
      ...(line ? { line } : {}),
    });
  }
  return result.data;
}

/** Line of the deepest existing node on `path` in a YAML/JSON text (for checks zod cannot express). */
export function lineOfPath(text: string, path: (string | number)[]): number | undefined {
  const counter = new LineCounter();
  return lineOf(parseDocument(text, { lineCounter: counter }), counter, path);
}

/** The line of the deepest node on `path` that exists (the field itself, or its parent if missing). */
function lineOf(doc: Document, counter: LineCounter, path: (string | number)[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = (doc.contents as { range?: [number] } | null)?.range?.[0];
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
      if (!pair) break;
      offset = (pair.key as { range?: [number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as { range?: [number] } | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset === undefined ? undefined : counter.linePos(offset).line;
}

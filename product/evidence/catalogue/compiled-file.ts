import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * The precompiled form of a built-in YAML catalogue (compiled-sdk-catalogue.ts says why): a JSON
 * document holding what the schema accepted, keyed by the SHA-256 of the YAML text it came from,
 * and used only while that key matches the YAML it would otherwise parse. Absent, unreadable,
 * of another format or stale, it reads as undefined and the caller parses the YAML: slower,
 * never different. It is not validated again (that would load zod, the cost it saves).
 */

export interface CompiledDocument<T> {
  /** Bumped by a catalogue when its compiled shape changes, so an old build's file reads as stale. */
  format: number;
  /** File name of the YAML it was compiled from, for people reading the file. */
  source: string;
  sourceSha256: string;
  content: T;
}

function catalogueDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Writes the compiled form atomically: a concurrent reader sees the old file or the new one. */
export function writeCompiledFile<T>(content: T, format: number, sourceText: string, source: string, out: string): CompiledDocument<T> {
  const doc: CompiledDocument<T> = { format, source: basename(source), sourceSha256: catalogueDigest(sourceText), content };
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(doc)}\n`);
  renameSync(tmp, out);
  return doc;
}

/** The content of `compiled` when it was compiled, in `format`, from the current text of `source`. */
export function readCompiledFile<T>(source: string, compiled: string, format: number, looksRight: (content: unknown) => boolean): T | undefined {
  let doc: Partial<CompiledDocument<unknown>>;
  let sourceText: string;
  try {
    doc = JSON.parse(readFileSync(compiled, 'utf8')) as Partial<CompiledDocument<unknown>>;
    sourceText = readFileSync(source, 'utf8');
  } catch {
    return undefined;
  }
  const fresh = doc.format === format && looksRight(doc.content) && doc.sourceSha256 === catalogueDigest(sourceText);
  return fresh ? (doc.content as T) : undefined;
}

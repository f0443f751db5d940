import { basename, extname } from 'node:path';
import { loadSdkCatalogue, type SdkCatalogue } from '../../evidence/catalogue/sdk-catalogue.js';
import { InputError } from '../../core/errors.js';
import { Declarations, mergeDeclarations } from './declarations.js';
import { readDoubleListFile } from './double-list.js';
import { extractFromText } from './extract-text.js';
import { extractFromHtml } from './html.js';
import { decodePolicyBytes } from './decode-text.js';
import { readPolicyBytes, type ReadLimits } from './input-read.js';
import { loadLexicon, type Lexicon } from './lexicon.js';
import { SdkNameMatcher } from './sdk-names.js';

export interface PolicyReaders {
  lexicon: Lexicon;
  sdkNames: SdkNameMatcher;
}

/** The built-in lexicon and SDK catalogue, or a lab's own. */
export function policyReaders(options: { lexicon?: Lexicon; catalogue?: SdkCatalogue } = {}): PolicyReaders {
  const lexicon = options.lexicon ?? loadLexicon();
  return { lexicon, sdkNames: new SdkNameMatcher(options.catalogue ?? loadSdkCatalogue(), lexicon) };
}

export type PolicyFormat = 'text' | 'html' | 'double-list' | 'declarations';

/**
 * Which reader a file needs: .yaml/.yml/.csv are double lists; .json is a double list unless it
 * is a saved declarations.json; .html/.htm (a page saved from a URL) or text that starts with
 * markup is HTML; anything else is policy prose.
 */
export function detectFormat(file: string, text: string): PolicyFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml' || ext === '.csv') return 'double-list';
  if (ext === '.json') return /"version"\s*:\s*1[\s,}]/u.test(text) && /"dataTypes"\s*:\s*\[/u.test(text) ? 'declarations' : 'double-list';
  if (ext === '.html' || ext === '.htm' || ext === '.xhtml' || /^\s*(?:<!doctype html|<html|<body|<div|<p[\s>]|<table)/iu.test(text)) return 'html';
  return 'text';
}

/** How a policy file is read: `maxBytes` is config `policy.maxBytes`. */
export type PolicyReadOptions = ReadLimits;

/**
 * Reads one policy input of any supported kind into Declarations. The file may come from
 * anywhere: it must be a regular file within `maxBytes` (config `policy.maxBytes`), and text in
 * a charset we can name (input-read.ts, decode-text.ts), before any reader sees it.
 */
export function readPolicyFile(file: string, readers: PolicyReaders = policyReaders(), options: PolicyReadOptions = {}): Declarations {
  const { text } = decodePolicyBytes(readPolicyBytes(file, options), file);
  const name = basename(file);
  switch (detectFormat(file, text)) {
    case 'double-list':
      // Size, file kind and binary content are checked above; the double-list reader re-reads the
      // (regular, bounded) file itself, as UTF-8.
      return readDoubleListFile(file, readers);
    case 'declarations': {
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (cause) {
        throw new InputError('FILE_SYNTAX', `not valid JSON: ${(cause as Error).message}`, { file, cause });
      }
      const parsed = Declarations.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InputError('FILE_INVALID', `${issue.message} in the declarations`, { file, field: issue.path.join('.') || '(top level)' });
      }
      return parsed.data;
    }
    case 'html':
      return extractFromHtml(text, { ...readers, file: name });
    case 'text':
      return extractFromText(text, { ...readers, source: 'policy-text', file: name });
  }
}

/** Reads and merges several inputs (policy + double list + saved SDK table page...). */
export function readPolicyFiles(files: string[], readers: PolicyReaders = policyReaders(), options: PolicyReadOptions = {}): Declarations {
  return mergeDeclarations(files.map((f) => readPolicyFile(f, readers, options)));
}

/** Declarations from text captured on screen (the consent dialog) rather than from a file. */
export function declarationsFromText(text: string, source: 'policy-text' | 'consent-dialog' = 'consent-dialog', readers: PolicyReaders = policyReaders()): Declarations {
  return extractFromText(text, { ...readers, source });
}

/** Declarations from HTML held in memory (a WebView's page source). */
export function declarationsFromHtml(html: string, readers: PolicyReaders = policyReaders()): Declarations {
  return extractFromHtml(html, readers);
}

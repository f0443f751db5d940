import type { DataTypeId } from '../../contracts/data-types.js';
import { type DeclarationSourceKind, type Declarations } from './declarations.js';
import type { Lexicon } from './lexicon.js';
import type { SdkNameMatcher } from './sdk-names.js';
import { readProse, negatedRanges as negatedSpans } from './read-prose.js';
import { normaliseForMatching } from './sentences.js';

export interface ExtractOptions {
  source: DeclarationSourceKind;
  file?: string;
  lexicon: Lexicon;
  sdkNames: SdkNameMatcher;
}

/**
 * Declarations from policy prose (Chinese or English): read by read-prose.ts, which keeps each
 * sentence as evidence and decides negation scope (sentences, clauses, negating headings over
 * their lists).
 */
export function extractFromText(text: string, options: ExtractOptions): Declarations {
  return readProse(text, options);
}

const ZH_COMPANY = /[\u4e00-\u9fff（）()A-Za-z0-9+]{2,40}?(?:股份有限公司|有限责任公司|有限公司)/gu;
const EN_COMPANY = /\b[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,5},?\s+(?:Co\.,?\s*Ltd\.?|Ltd\.?|Inc\.?|LLC|GmbH|Corporation|Limited|S\.A\.|B\.V\.)/gu;
const DOMAIN = /\b(?:https?:\/\/)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,12}))(?=[/:\s)）,，。;；"'」]|$)/giu;
const NOT_TLDS = new Set(['html', 'htm', 'php', 'jsp', 'pdf', 'apk', 'java', 'png', 'jpg', 'jpeg', 'gif', 'txt', 'json', 'xml', 'yaml', 'so', 'js', 'kt']);

/** Company names (…有限公司, "… Co., Ltd.", "… Inc.") and domains named in a sentence. */
export function companiesAndDomains(sentence: string): { name: string; domain?: string; start: number }[] {
  const out: { name: string; domain?: string; start: number }[] = [];
  for (const re of [ZH_COMPANY, EN_COMPANY]) {
    re.lastIndex = 0;
    for (let m = re.exec(sentence); m; m = re.exec(sentence)) {
      // The lazy match starts at the first CJK character of the clause; keep what follows the
      // last verb or preposition that introduces the company ("本应用集成了…有限公司").
      const parts = m[0].split(/由|与|向|及|包括|例如|集成了?|使用了?|接入了?|委托|提供给|共享给|：|:|、/u);
      const name = (parts[parts.length - 1] ?? '').trim();
      if (name.length >= 4) out.push({ name, start: m.index + m[0].length - name.length });
    }
  }
  DOMAIN.lastIndex = 0;
  for (let m = DOMAIN.exec(sentence); m; m = DOMAIN.exec(sentence)) {
    const domain = m[1]!.toLowerCase().replace(/^www\./, '');
    const tld = domain.slice(domain.lastIndexOf('.') + 1);
    if (NOT_TLDS.has(tld) || /^\d/.test(tld)) continue;
    out.push({ name: domain, domain, start: m.index });
  }
  return out;
}

/**
 * Data types named in a piece of text (a table cell, a list entry), negation-aware. Each type
 * keeps the term that named it; it is specific when any specific term named it.
 */
export function dataTypesIn(raw: string, lexicon: Lexicon): { dataTypes: DataTypeId[]; items: { dataType: DataTypeId; term: string; specific: boolean }[] } {
  const text = normaliseForMatching(raw);
  const negated = negatedSpans(text, lexicon);
  const items = new Map<DataTypeId, { dataType: DataTypeId; term: string; specific: boolean }>();
  for (const m of lexicon.dataTerms.find(text)) {
    if (negated.some((r) => m.start >= r.from && m.start < r.to)) continue;
    const term = text.slice(m.start, m.end);
    for (const dataType of m.value.dataTypes) {
      const seen = items.get(dataType);
      if (!seen || (!seen.specific && m.value.specific)) items.set(dataType, { dataType, term, specific: m.value.specific });
    }
  }
  return { dataTypes: [...items.keys()], items: [...items.values()] };
}

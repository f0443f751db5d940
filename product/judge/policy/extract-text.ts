import type { DataTypeId } from '../../contracts/data-types.js';
import { type DeclarationSourceKind, type Declarations, type Evidence } from './declarations.js';
import type { Lexicon } from './lexicon.js';
import type { SdkNameMatcher } from './sdk-names.js';
import { readProse, negatedRanges as negatedSpans } from './read-prose.js';
import { normaliseForMatching, splitClauses, type Sentence } from './sentences.js';

export interface ExtractOptions {
  source: DeclarationSourceKind;
  file?: string;
  lexicon: Lexicon;
  sdkNames: SdkNameMatcher;
}

/**
 * Declarations from policy prose (Chinese or English): every data type, SDK, recipient and
 * purpose a sentence names, with the sentence kept as evidence. A mention that follows a negated
 * collection or sharing verb in the same clause ("我们不会收集您的通讯录") is a negation, not a
 * declaration; a negator with the user as subject ("您可以选择不提供") is a choice offered to the
 * user, which still declares the item.
 */
export function extractFromText(text: string, options: ExtractOptions): Declarations {
  return readProse(text, options);
}

/** Adds what one sentence declares to `decl`. Exported for the HTML and table readers. */
export function extractSentence(sentence: Sentence, options: ExtractOptions, decl: Declarations): void {
  const { lexicon } = options;
  const evidence: Evidence = {
    source: options.source,
    ...(options.file ? { file: options.file } : {}),
    line: sentence.line,
    text: sentence.text.slice(0, 4000),
  };
  const negated = negatedRanges(sentence.text, lexicon);
  const isNegated = (pos: number) => negated.find((r) => pos >= r.from && pos < r.to);
  const purposeMatches = lexicon.purposes.find(sentence.text);
  const purposes = [...new Set(purposeMatches.map((m) => m.value))];
  const background = lexicon.backgroundCues.find(sentence.text).length > 0;

  for (const m of purposeMatches) decl.purposes.push({ purpose: m.value, term: m.term, evidence });
  for (const m of lexicon.dataTerms.find(sentence.text)) {
    const term = sentence.text.slice(m.start, m.end);
    const neg = isNegated(m.start);
    for (const dataType of m.value.dataTypes) {
      if (neg) decl.negations.push({ dataType, term, cue: neg.cue, evidence });
      else decl.dataTypes.push({ dataType, term, specific: m.value.specific, purposes, background, evidence });
    }
  }
  const sdkMentions = options.sdkNames.find(sentence.text);
  for (const m of sdkMentions) {
    const neg = isNegated(m.start);
    if (neg) {
      decl.negations.push({ sdk: m.sdks[0]?.id ?? m.term, term: m.term, cue: neg.cue, evidence });
      continue;
    }
    if (m.kind === 'sdk') {
      for (const sdk of m.sdks) decl.sdks.push({ id: sdk.id, name: m.term, vendor: sdk.vendor, purposes, dataTypes: [], evidence });
    } else {
      decl.recipients.push({ name: m.term, domains: [], sdkIds: m.sdks.map((s) => s.id), evidence });
    }
  }
  for (const r of companiesAndDomains(sentence.text)) {
    if (isNegated(r.start)) continue;
    // A catalogue vendor is already recorded with its SDK ids; do not add a second, vaguer entry.
    if (sdkMentions.some((m) => r.start < m.end && m.start < r.start + r.name.length)) continue;
    decl.recipients.push({ name: r.name, domains: r.domain ? [r.domain] : [], sdkIds: [], evidence });
  }
  for (const m of lexicon.listCues.find(sentence.text)) {
    if (!decl.lists[m.value].present) decl.lists[m.value] = { present: true, evidence };
  }
}

interface NegatedRange {
  from: number;
  to: number;
  cue: string;
}

/** The stretch of each clause after a negated verb whose subject is not the user. */
function negatedRanges(sentence: string, lexicon: Lexicon): NegatedRange[] {
  const out: NegatedRange[] = [];
  for (const clause of splitClauses(sentence, lexicon.clauseBreaks)) {
    for (const re of lexicon.negationPatterns) {
      re.lastIndex = 0;
      for (let m = re.exec(clause.text); m; m = re.exec(clause.text)) {
        const before = clause.text.slice(0, m.index);
        // "您可以选择不提供…" / "you may choose not to share…": the user's choice, not the app's promise.
        if (/[您你]|\byou\b/iu.test(before)) continue;
        out.push({ from: clause.start + m.index, to: clause.start + clause.text.length, cue: m[0] });
      }
    }
  }
  return out;
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

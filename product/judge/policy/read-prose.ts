import type { DataTypeId } from '../../contracts/data-types.js';
import { emptyDeclarations, type DataTypeDeclaration, type DeclarationSourceKind, type Declarations, type Evidence } from './declarations.js';
import { companiesAndDomains } from './extract-text.js';
import type { Lexicon } from './lexicon.js';
import type { SdkNameMatcher } from './sdk-names.js';
import { atomSpans, normaliseForMatching, splitClauses, splitSentences, type Sentence } from './sentences.js';

/** Why a data term was or was not taken: what `consentry policy --explain TYPE` prints. */
export interface ExplainEntry {
  dataType: DataTypeId;
  term: string;
  verdict: 'declared' | 'negated' | 'storage-only' | 'false-friend' | 'no-context' | 'overridden';
  reason: string;
  sentence: string;
  line?: number;
  offset?: number;
}

export interface ProseOptions {
  source: DeclarationSourceKind;
  file?: string;
  lexicon: Lexicon;
  sdkNames: SdkNameMatcher;
  /** When given, every data-term decision is appended here. */
  trace?: ExplainEntry[];
}

interface Scope {
  cue: string;
  heading: string;
  /** A Markdown heading or title line scopes to the next heading; a lead-in to the end of its list. */
  kind: 'heading' | 'lead';
  linesLeft: number;
}

interface NegatedRange {
  from: number;
  to: number;
  cue: string;
  storage: boolean;
}

/**
 * Declarations from policy prose (Chinese, Traditional or Simplified, or English). Each sentence
 * is read in a normalised form (sentences.ts normaliseForMatching) and kept as written as the
 * evidence, with its line and offset. A data term is declared when its sentence has a collecting
 * word or sits in a list or table context, and it is not inside a negation: a negated clause
 * ("we do not collect X", "X is not collected", "我們**不**蒐集X"), or the list under a negating
 * heading or lead-in ("What we don't collect", "我们不会收集以下信息："). A type negated anywhere is
 * declared only by a sentence that affirms collecting it, never by a bare list context.
 */
export function readProse(text: string, options: ProseOptions): Declarations {
  const decl = emptyDeclarations();
  decl.sources.push({ kind: options.source, ...(options.file ? { file: options.file } : {}) });
  const contextOnly = new Set<DataTypeDeclaration>();
  const seen = new Set<string>();
  let scope: Scope | undefined;
  for (const sentence of splitSentences(text)) {
    const norm = normaliseForMatching(maskAtoms(sentence.text));
    if (scope) scope = continueScope(scope, sentence, norm, options.lexicon);
    const opensScope = negatingHeading(sentence, norm, options.lexicon);
    if (!seen.has(sentence.text)) {
      seen.add(sentence.text);
      readSentence(sentence, norm, opensScope ? undefined : scope, options, decl, contextOnly);
    }
    if (opensScope) scope = opensScope;
  }
  // A type negated somewhere is not declared by a sentence that only lists it without a
  // collecting word (a heading, a glossary entry): the explicit negation is the better reading.
  const negated = new Set(decl.negations.filter((n) => n.dataType && !n.scope).map((n) => n.dataType!));
  decl.dataTypes = decl.dataTypes.filter((d) => {
    if (!(contextOnly.has(d) && negated.has(d.dataType))) return true;
    options.trace?.push({ dataType: d.dataType, term: d.term, verdict: 'overridden', reason: 'named without a collecting word, and negated elsewhere in the policy', sentence: d.evidence.text, ...where(d.evidence) });
    return false;
  });
  return decl;
}

const where = (e: Evidence) => ({ ...(e.line ? { line: e.line } : {}), ...(e.offset !== undefined ? { offset: e.offset } : {}) });

/** URLs and e-mail addresses blanked out so that no term or SDK name is read inside them. */
function maskAtoms(text: string): string {
  let out = text;
  for (const a of atomSpans(text)) out = out.slice(0, a.start) + ' '.repeat(a.end - a.start) + out.slice(a.end);
  return out;
}

/** A heading or lead-in line that negates what follows ("What we don't collect", "我们不收集以下信息："). */
function negatingHeading(sentence: Sentence, norm: string, lexicon: Lexicon): Scope | undefined {
  if (sentence.lineStart === false) return undefined;
  const title = sentence.kind === 'heading' || (sentence.kind !== 'item' && norm.length <= 60 && !/[。.!?！？；;]\s*$/u.test(norm));
  if (!title && !sentence.leadIn) return undefined;
  const ranges = negatedRanges(norm, lexicon);
  if (ranges.length === 0) return undefined;
  // "We do not collect your contacts:" names its object itself: no list scope needed for it.
  const after = norm.slice(ranges[0]!.to);
  if (lexicon.dataTerms.find(norm.slice(ranges[0]!.from)).length > 0 && !sentence.leadIn && after.trim()) return undefined;
  return { cue: ranges[0]!.cue, heading: sentence.text, kind: sentence.leadIn && sentence.kind !== 'heading' ? 'lead' : 'heading', linesLeft: 25 };
}

/** Whether the scope of a negating heading or lead-in reaches this sentence. */
function continueScope(scope: Scope, sentence: Sentence, norm: string, lexicon: Lexicon): Scope | undefined {
  if (!sentence.lineStart) return scope;
  if (sentence.kind === 'heading') return undefined;
  if (scope.kind === 'lead' && sentence.kind !== 'item' && !sentence.text.startsWith('|')) return undefined;
  if (scope.linesLeft <= 0) return undefined;
  // An affirmative statement ends a heading's scope: "We collect …" starts another topic.
  const affirms = lexicon.affirmCues.find(norm).some((m) => /^(?:collect|收集|获取|use|使用)/iu.test(m.term));
  if (scope.kind === 'heading' && affirms && negatedRanges(norm, lexicon).length === 0 && /^(?:we|our|the app|本应用|我们)/iu.test(norm)) return undefined;
  return { ...scope, linesLeft: scope.linesLeft - 1 };
}

function readSentence(
  sentence: Sentence,
  norm: string,
  scope: Scope | undefined,
  options: ProseOptions,
  decl: Declarations,
  contextOnly: Set<DataTypeDeclaration>,
): void {
  const { lexicon } = options;
  const evidence: Evidence = {
    source: options.source,
    ...(options.file ? { file: options.file } : {}),
    line: sentence.line,
    ...(sentence.offset !== undefined ? { offset: sentence.offset } : {}),
    text: (scope ? `${scope.heading} / ${sentence.text}` : sentence.text).slice(0, 4000),
  };
  const trace = (dataType: DataTypeId, term: string, verdict: ExplainEntry['verdict'], reason: string) =>
    options.trace?.push({ dataType, term, verdict, reason, sentence: evidence.text, ...where(evidence) });
  const negated = negatedRanges(norm, lexicon);
  const rangeAt = (pos: number) => negated.find((r) => pos >= r.from && pos < r.to);
  const purposeMatches = lexicon.purposes.find(norm);
  const purposes = [...new Set(purposeMatches.map((m) => m.value))];
  const background = lexicon.backgroundCues.find(norm).length > 0;
  for (const m of purposeMatches) decl.purposes.push({ purpose: m.value, term: m.term, evidence });

  const affirmed = lexicon.affirmCues.find(norm).some((m) => !rangeAt(m.start) && !negated.some((r) => m.start < r.from + r.cue.length && m.end > r.from));
  const sdkMentions = options.sdkNames.find(norm);
  const listContext = sentence.kind === 'item' || sentence.text.includes('|') || /[:：]/u.test(norm) || sdkMentions.length > 0;
  const falseFriends = lexicon.falseFriends.find(norm);
  const declared = new Set<DataTypeId>();
  for (const m of lexicon.dataTerms.find(norm)) {
    const term = norm.slice(m.start, m.end);
    const friend = falseFriends.find((f) => m.start < f.end && f.start < m.end);
    if (friend) {
      for (const t of m.value.dataTypes) trace(t, term, 'false-friend', `"${term}" inside "${friend.term}" does not name the data type`);
      continue;
    }
    const range = rangeAt(m.start);
    if (scope || range) {
      const cue = range?.cue ?? scope!.cue;
      const storageOnly = range?.storage === true && affirmed;
      for (const dataType of m.value.dataTypes) {
        decl.negations.push({ dataType, term, cue, ...(storageOnly ? { scope: 'storage' as const } : {}), evidence });
        if (!storageOnly) trace(dataType, term, 'negated', scope && !range ? `in the list under the negating heading "${scope.heading}"` : `after the negation "${cue}"`);
      }
      if (!storageOnly) continue;
      for (const t of m.value.dataTypes) trace(t, term, 'storage-only', `"${cue}" denies storage only; the sentence still says it is accessed`);
    }
    if (!affirmed && !listContext) {
      for (const t of m.value.dataTypes) trace(t, term, 'no-context', 'named without a collecting word, list or table context');
      continue;
    }
    for (const dataType of m.value.dataTypes) {
      const item: DataTypeDeclaration = { dataType, term, specific: m.value.specific, purposes, background, evidence };
      decl.dataTypes.push(item);
      if (!affirmed) contextOnly.add(item);
      // An SDK named in the sentence is tied to the types the sentence names specifically, not
      // to everything an umbrella term ("device information") could cover.
      if (m.value.specific) declared.add(dataType);
      trace(dataType, term, 'declared', affirmed ? 'a collecting word in the sentence' : 'a list or table entry');
    }
  }

  for (const m of sdkMentions) {
    const range = rangeAt(m.start);
    if (range || scope) {
      decl.negations.push({ sdk: m.sdks[0]?.id ?? m.term, term: m.term, cue: range?.cue ?? scope!.cue, evidence });
      continue;
    }
    if (m.kind === 'sdk') {
      for (const sdk of m.sdks) decl.sdks.push({ id: sdk.id, name: m.term, vendor: sdk.vendor, purposes, dataTypes: [...declared], evidence });
    } else {
      decl.recipients.push({ name: m.term, domains: [], sdkIds: m.sdks.map((s) => s.id), evidence });
    }
  }
  const sdkIds = sdkMentions.filter((m) => m.kind === 'sdk' && !rangeAt(m.start) && !scope).flatMap((m) => m.sdks.map((s) => s.id));
  if (sdkIds.length === 1) for (const d of decl.dataTypes) if (d.evidence === evidence && d.sdk === undefined) d.sdk = sdkIds[0];
  for (const r of companiesAndDomains(sentence.text)) {
    if (scope) continue;
    if (sdkMentions.some((m) => m.term.toLowerCase() === r.name.toLowerCase())) continue;
    if (decl.recipients.some((x) => x.name === r.name && x.evidence.text === evidence.text)) continue;
    decl.recipients.push({ name: r.name, domains: r.domain ? [r.domain] : [], sdkIds: [], evidence });
  }
  for (const m of lexicon.listCues.find(norm)) {
    if (!decl.lists[m.value].present) decl.lists[m.value] = { present: true, evidence };
  }
}

const CONTINUATION = /^\s*(?:包括|例如|比如|诸如|如|等|以及|及|或|including|such as|e\.g\.|like|or|and|nor)/iu;

/**
 * The stretches of a normalised sentence that a negation covers: after an active cue to the end
 * of its clause ("we do not collect …"), before a passive cue back to the clause start ("… are
 * not collected"). "包括但不限于" and "such as …" continue the negated clause. A negator with the
 * user as subject ("您可以选择不提供") is a choice offered to the user, not a promise.
 */
export function negatedRanges(text: string, lexicon: Lexicon): NegatedRange[] {
  const out: NegatedRange[] = [];
  const masked = text.replace(/但不限于/gu, '且不限于');
  const clauses: { text: string; start: number }[] = [];
  for (const c of splitClauses(masked, lexicon.clauseBreaks)) {
    const prev = clauses[clauses.length - 1];
    if (prev && CONTINUATION.test(c.text)) prev.text += c.text;
    else clauses.push({ ...c });
  }
  for (const clause of clauses) {
    const end = clause.start + clause.text.length;
    for (const re of lexicon.negationPatterns) {
      re.lastIndex = 0;
      for (let m = re.exec(clause.text); m; m = re.exec(clause.text)) {
        if (/[您你]|\byou\b/iu.test(clause.text.slice(0, m.index))) continue;
        if (lexicon.notNegating?.test(clause.text.slice(m.index + m[0].length))) continue;
        out.push({ from: clause.start + m.index, to: end, cue: m[0], storage: isStorageCue(m[0], lexicon) });
      }
    }
    for (const re of lexicon.passiveNegationPatterns) {
      re.lastIndex = 0;
      for (let m = re.exec(clause.text); m; m = re.exec(clause.text)) {
        if (lexicon.notNegating?.test(clause.text.slice(m.index + m[0].length))) continue;
        out.push({ from: clause.start, to: clause.start + m.index + m[0].length, cue: m[0], storage: isStorageCue(m[0], lexicon) });
      }
    }
    for (const re of lexicon.wholeClauseNegationPatterns) {
      re.lastIndex = 0;
      for (let m = re.exec(clause.text); m; m = re.exec(clause.text)) out.push({ from: clause.start, to: end, cue: m[0], storage: false });
    }
  }
  return out;
}

function isStorageCue(cue: string, lexicon: Lexicon): boolean {
  const en = /([A-Za-z]+)\s*$/u.exec(cue)?.[1];
  if (en) return lexicon.storageVerbs.test(en);
  return lexicon.storageVerbs.test(cue.slice(-2));
}

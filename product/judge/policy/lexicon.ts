import { join } from 'node:path';
import { z } from 'zod';
import { DataTypeId } from '../../contracts/data-types.js';
import { builtIn } from '../../core/paths.js';
import { loadValidatedFile } from '../../core/validated-file.js';

const Terms = z.array(z.string().min(1)).default([]);
const Bilingual = z.object({ zh: Terms, en: Terms }).strict();

export const LexiconFile = z
  .object({
    dataTypes: z.partialRecord(DataTypeId, Bilingual),
    umbrellas: z.array(z.object({ terms: z.array(z.string().min(1)).min(1), dataTypes: z.array(DataTypeId).min(1) }).strict()),
    purposes: z.record(z.string(), Bilingual),
    negation: z
      .object({
        zh: z.object({ negators: Terms, verbs: Terms, maxGap: z.number().int().min(0).max(40) }).strict(),
        en: z.object({ negators: Terms, verbs: Terms, maxGap: z.number().int().min(0).max(10) }).strict(),
      })
      .strict(),
    /** Forms of negation beyond negator + verb: passive participles, fixed zh phrases, storage-only verbs. */
    negationForms: z
      .object({
        enParticiples: Terms,
        enNoObject: Terms,
        zhPhrases: Terms,
        storageVerbs: Bilingual,
        notNegating: Terms,
      })
      .strict()
      .optional(),
    /** Verbs and words that make a sentence declare what it names (a type needs one, or a list context). */
    affirm: Bilingual.optional(),
    /** Phrases in which a data term does not name the data type ("social media", "联系方式"). */
    falseFriends: Bilingual.optional(),
    clauseBreaks: Bilingual,
    background: Bilingual,
    lists: z.object({ collection: Bilingual, sharing: Bilingual }).strict(),
    sdkContext: z.object({ ambiguousAliases: Terms, cues: Terms }).strict(),
  })
  .strict();
export type LexiconFile = z.infer<typeof LexiconFile>;

/** One place a term was found in a piece of text. */
export interface TermMatch {
  start: number;
  end: number;
  term: string;
}

/**
 * A term list compiled for matching: Chinese (and any term with CJK characters) by substring,
 * Latin terms case-insensitively on word boundaries. Overlaps resolve to the longest term so
 * "SIM卡序列号" is not also read as "序列号".
 */
export class TermSet<V> {
  private readonly entries: { term: string; value: V; re: RegExp }[] = [];

  add(term: string, value: V): void {
    const cjk = /[\u3400-\u9fff]/.test(term);
    const escaped = term.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*');
    const re = cjk ? new RegExp(escaped, 'giu') : new RegExp(`(?<![A-Za-z0-9_])${escaped}(?![A-Za-z0-9_])`, 'giu');
    this.entries.push({ term, value, re });
  }

  /** Non-overlapping matches, longest first on overlap, in text order. */
  find(text: string): (TermMatch & { value: V })[] {
    const all: (TermMatch & { value: V })[] = [];
    for (const e of this.entries) {
      e.re.lastIndex = 0;
      for (let m = e.re.exec(text); m; m = e.re.exec(text)) {
        all.push({ start: m.index, end: m.index + m[0].length, term: e.term, value: e.value });
        if (m[0].length === 0) e.re.lastIndex += 1;
      }
    }
    all.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
    const taken: (TermMatch & { value: V })[] = [];
    for (const m of all) {
      if (taken.some((t) => m.start < t.end && t.start < m.end)) continue;
      taken.push(m);
    }
    return taken.sort((a, b) => a.start - b.start || a.term.localeCompare(b.term));
  }
}

/** What a term means: a data type named precisely, or an umbrella that implies several. */
export interface DataTerm {
  dataTypes: DataTypeId[];
  specific: boolean;
}

export interface Lexicon {
  dataTerms: TermSet<DataTerm>;
  purposes: TermSet<string>;
  /** Negated collection/sharing verbs: zh and en patterns, global. */
  negationPatterns: RegExp[];
  /** Negations whose object comes BEFORE the cue ("X is not collected", "X不会被收集", "X一条都没有"). */
  passiveNegationPatterns: RegExp[];
  wholeClauseNegationPatterns: RegExp[];
  /** Cues after which a negated verb only denies storage or upload, not access. */
  storageVerbs: RegExp;
  /** Words after a negation that make it no negation of collection ("…collected ephemerally"). */
  notNegating: RegExp | undefined;
  affirmCues: TermSet<string>;
  falseFriends: TermSet<string>;
  clauseBreaks: string[];
  backgroundCues: TermSet<string>;
  listCues: TermSet<'collection' | 'sharing'>;
  ambiguousAliases: Set<string>;
  sdkContextCues: TermSet<string>;
}

export function compileLexicon(file: LexiconFile): Lexicon {
  const dataTerms = new TermSet<DataTerm>();
  for (const [id, terms] of Object.entries(file.dataTypes)) {
    for (const t of [...terms.zh, ...terms.en]) dataTerms.add(t, { dataTypes: [id as DataTypeId], specific: true });
  }
  for (const u of file.umbrellas) for (const t of u.terms) dataTerms.add(t, { dataTypes: u.dataTypes, specific: false });
  const purposes = new TermSet<string>();
  for (const [id, terms] of Object.entries(file.purposes)) for (const t of [...terms.zh, ...terms.en]) purposes.add(t, id);
  const alt = (terms: string[]) =>
    [...terms].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+')).join('|');
  const { zh, en } = file.negation;
  const negationPatterns = [
    new RegExp(`(?:${alt(zh.negators)})[^，,；;。！？\\n]{0,${zh.maxGap}}?(?:${alt(zh.verbs)})`, 'gu'),
    new RegExp(`\\b(?:${alt(en.negators)})\\s+(?:[\\w'-]+\\s+){0,${en.maxGap}}?(?:${alt(en.verbs)})\\b`, 'giu'),
  ];
  const forms = file.negationForms ?? { enParticiples: [], enNoObject: [], zhPhrases: [], storageVerbs: { zh: [], en: [] }, notNegating: [] };
  if (forms.enNoObject.length) negationPatterns.push(new RegExp(`\\b(?:${alt(forms.enNoObject)})\\s+no\\b`, 'giu'));
  negationPatterns.push(new RegExp(`\\b(?:neither|nor)\\s+(?:${alt(en.verbs)})\\b`, 'giu'));
  const passiveNegationPatterns: RegExp[] = [];
  if (forms.enParticiples.length) {
    passiveNegationPatterns.push(
      new RegExp(`\\b(?:(?:is|are|was|were|be|been)\\s+(?:not|never)|(?:will|shall|can|must|would|may)\\s+(?:not|never)\\s+be|isn't|aren't|wasn't|weren't|won't\\s+be|cannot\\s+be|never\\s+(?:be\\s+)?)\\s+(?:\\w+\\s+){0,2}?(?:${alt(forms.enParticiples)})\\b`, 'giu'),
    );
  }
  passiveNegationPatterns.push(new RegExp(`(?:${alt(zh.negators)})被(?:${alt(zh.verbs)})`, 'gu'));
  // Fixed phrases ("拿不到", "一条都没有") negate their whole clause, whichever side the item is on.
  const wholeClauseNegationPatterns = forms.zhPhrases.length ? [new RegExp(`(?:${alt(forms.zhPhrases)})`, 'gu')] : [];
  const storageVerbs = new RegExp(`^(?:${alt([...forms.storageVerbs.zh, ...forms.storageVerbs.en]) || '(?!)'})$`, 'iu');
  const notNegating = forms.notNegating.length ? new RegExp(`^\\s*(?:${alt(forms.notNegating)})\\b`, 'iu') : undefined;
  const affirmCues = new TermSet<string>();
  for (const t of [...(file.affirm?.zh ?? []), ...(file.affirm?.en ?? [])]) affirmCues.add(t, t);
  const falseFriends = new TermSet<string>();
  for (const t of [...(file.falseFriends?.zh ?? []), ...(file.falseFriends?.en ?? [])]) falseFriends.add(t, t);
  const backgroundCues = new TermSet<string>();
  for (const t of [...file.background.zh, ...file.background.en]) backgroundCues.add(t, t);
  const listCues = new TermSet<'collection' | 'sharing'>();
  for (const t of [...file.lists.collection.zh, ...file.lists.collection.en]) listCues.add(t, 'collection');
  for (const t of [...file.lists.sharing.zh, ...file.lists.sharing.en]) listCues.add(t, 'sharing');
  const sdkContextCues = new TermSet<string>();
  for (const t of file.sdkContext.cues) sdkContextCues.add(t, t);
  return {
    dataTerms,
    purposes,
    negationPatterns,
    passiveNegationPatterns,
    wholeClauseNegationPatterns,
    storageVerbs,
    notNegating,
    affirmCues,
    falseFriends,
    clauseBreaks: [...file.clauseBreaks.zh, ...file.clauseBreaks.en],
    backgroundCues,
    listCues,
    ambiguousAliases: new Set(file.sdkContext.ambiguousAliases.map((a) => a.toLowerCase())),
    sdkContextCues,
  };
}

export const DEFAULT_LEXICON_FILE = join(builtIn.catalogue, 'policy-lexicon.yaml');
let cached: Lexicon | undefined;

/** The built-in lexicon (cached), or one from a lab's own file. */
export function loadLexicon(file = DEFAULT_LEXICON_FILE): Lexicon {
  if (file === DEFAULT_LEXICON_FILE && cached) return cached;
  const lexicon = compileLexicon(loadValidatedFile(file, LexiconFile, 'policy lexicon'));
  if (file === DEFAULT_LEXICON_FILE) cached = lexicon;
  return lexicon;
}

/** Resolves a free-text data item ("设备识别码", "location", "android-id") to data-type ids. */
export function resolveDataTerm(lexicon: Lexicon, text: string): DataTerm | undefined {
  const id = DataTypeId.safeParse(text.trim());
  if (id.success) return { dataTypes: [id.data], specific: true };
  const matches = lexicon.dataTerms.find(text);
  if (matches.length === 0) return undefined;
  const types = new Set<DataTypeId>();
  for (const m of matches) for (const t of m.value.dataTypes) types.add(t);
  return { dataTypes: [...types], specific: matches.every((m) => m.value.specific) };
}

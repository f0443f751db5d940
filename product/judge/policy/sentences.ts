import { hasHan, toSimplified } from '../../core/chinese-script.js';

/**
 * A sentence of a policy with where it starts, kept as evidence: the line (1-based) and the
 * character offset into the text. `kind` says how the line was laid out, which is what negation
 * scope needs: a heading or a lead-in ending in a colon can negate the list under it.
 */
export interface Sentence {
  text: string;
  line: number;
  /** Character offset of the sentence in the text it was split from. */
  offset?: number;
  kind?: 'heading' | 'item' | 'text';
  /** The sentence ends with a colon: it introduces what follows ("we do not collect:"). */
  leadIn?: boolean;
  /** The sentence is the first on its line. */
  lineStart?: boolean;
}

/** URLs and e-mail addresses: atoms that no sentence break or term match may cut into. */
const ATOMS = /\b(?:https?:\/\/|www\.)[^\s<>"'）)\]，。；]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/giu;

/** Spans of URLs and e-mail addresses in a text. */
export function atomSpans(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  ATOMS.lastIndex = 0;
  for (let m = ATOMS.exec(text); m; m = ATOMS.exec(text)) out.push({ start: m.index, end: m.index + m[0].length });
  return out;
}

/**
 * Splits policy text into sentences: at Chinese 。！？；, at ASCII ! ? ; and at a full stop
 * followed by a space or the end (so "1.2", "v2.0" and "www.umeng.com" stay whole), and at line
 * breaks, which is where list items and table rows end. A URL or an e-mail address is never cut
 * ("?" in a query string). List bullets ("1.", "（一）", "•") and Markdown heading marks are
 * stripped from the front and recorded in `kind`.
 */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let lineOffset = 0;
  lines.forEach((raw, index) => {
    const atoms = atomSpans(raw);
    const inAtom = (i: number) => atoms.some((a) => i > a.start && i < a.end);
    const cuts = [0];
    const re = /(?<=[。！？；!?;])|(?<=\.)(?=\s|$)/gu;
    for (let m = re.exec(raw); m; m = re.exec(raw)) {
      if (m.index > 0 && !inAtom(m.index)) cuts.push(m.index);
      re.lastIndex = m.index + 1;
    }
    cuts.push(raw.length);
    const lineKind = lineKindOf(raw);
    let first = true;
    for (let i = 0; i + 1 < cuts.length; i += 1) {
      const piece = raw.slice(cuts[i], cuts[i + 1]);
      const lead = piece.length - piece.trimStart().length;
      const cleaned = stripBullet(piece.trim());
      if (cleaned.length === 0 || !/[\p{L}\p{N}]/u.test(cleaned)) continue;
      const at = raw.indexOf(cleaned, cuts[i]! + lead);
      out.push({
        text: cleaned,
        line: index + 1,
        offset: lineOffset + (at >= 0 ? at : cuts[i]! + lead),
        kind: first ? lineKind : 'text',
        leadIn: /[:：]\s*(?:\*\*)?$/u.test(cleaned),
        lineStart: first,
      });
      first = false;
    }
    lineOffset += raw.length + 1;
  });
  return out;
}

function lineKindOf(raw: string): 'heading' | 'item' | 'text' {
  const s = raw.trim();
  if (/^#{1,6}\s/u.test(s) || /^\*\*[^*]{2,80}\*\*$/u.test(s) || /^[一二三四五六七八九十]+、/u.test(s)) return 'heading';
  if (/^(?:[•·●◦▪\-*+❌✗✘×]|\d{1,2}[.)、]|[（(][0-9一二三四五六七八九十]+[）)])\s*/u.test(s)) return 'item';
  return 'text';
}

function stripBullet(s: string): string {
  return s
    .replace(/^#{1,6}\s+/u, '')
    .replace(/^(?:[•·●◦▪\-*+]|\(?[0-9]{1,2}[.)、]|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)\s*/u, '')
    .trim();
}

/**
 * The form of a sentence the lexicon reads: Traditional Chinese in Simplified (Taiwan 蒐集 and
 * 裝置, Hong Kong 設備), pinyin or zhuyin glosses after characters removed ("進(jìn)程" → "进程"),
 * Markdown emphasis and the bars of a Markdown table cell dropped ("我們**不**收集" → "我们不收集").
 * The original sentence stays the evidence; only positions within this form are lost.
 */
export function normaliseForMatching(text: string): string {
  let s = text.replace(/\*\*|__|`/gu, '').replace(/~~/gu, '');
  // A gloss follows a Han character: "(jìn)", "（ㄐㄧㄣˋ）", "[jin4]".
  s = s.replace(/(\p{Script=Han})\s?[(（[]\s*(?:[a-zA-Züāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ]+[1-5]?|[\u3100-\u312f\u02c7\u02ca\u02cb\u02d9]+)\s*[)）\]]/gu, '$1');
  return hasHan(s) ? toSimplified(s) : s;
}

/**
 * Splits a sentence into clauses for negation scope. Chinese: at ，and ；. English: at ; and at a
 * comma that starts a new clause ("…, but we…", "…, we…"), not at list commas ("contacts, SMS or
 * call log"). Contrastive conjunctions from the lexicon always break.
 */
export function splitClauses(sentence: string, breaks: string[]): { text: string; start: number }[] {
  const cuts = new Set<number>([0]);
  const re = /[，；;]|,(?=\s*(?:and\s+)?(?:we|our|but|however|which|although|while|unless|you|it|they)\b)/giu;
  for (let m = re.exec(sentence); m; m = re.exec(sentence)) cuts.add(m.index + 1);
  const lower = sentence.toLowerCase();
  for (const b of breaks) {
    const needle = b.toLowerCase();
    for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + 1)) cuts.add(i);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.map((start, i) => ({ text: sentence.slice(start, sorted[i + 1] ?? sentence.length), start }));
}

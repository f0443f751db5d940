/** A sentence of a policy with the line it starts on (1-based), kept as evidence. */
export interface Sentence {
  text: string;
  line: number;
}

/**
 * Splits policy text into sentences: at Chinese 。！？；, at ASCII ! ? ; and at a full stop
 * followed by a space or the end (so "1.2", "v2.0" and "www.umeng.com" stay whole), and at line
 * breaks, which is where list items and table rows end. List bullets ("1.", "（一）", "•") are
 * stripped from the front.
 */
export function splitSentences(text: string): Sentence[] {
  const out: Sentence[] = [];
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  lines.forEach((raw, index) => {
    const pieces = raw.split(/(?<=[。！？；!?;])|(?<=\.)(?=\s|$)/u);
    for (const piece of pieces) {
      const cleaned = stripBullet(piece.trim());
      if (cleaned.length > 0 && /[\p{L}\p{N}]/u.test(cleaned)) out.push({ text: cleaned, line: index + 1 });
    }
  });
  return out;
}

function stripBullet(s: string): string {
  return s.replace(/^(?:[•·●◦▪\-*]|\(?[0-9]{1,2}[.)、]|[（(][一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)\s*/u, '').trim();
}

/**
 * Splits a sentence into clauses for negation scope. Chinese: at ，and ；. English: at ; and at a
 * comma that starts a new clause ("…, but we…", "…, we…"), not at list commas ("contacts, SMS or
 * call log"). Contrastive conjunctions from the lexicon always break.
 */
export function splitClauses(sentence: string, breaks: string[]): { text: string; start: number }[] {
  const cuts = new Set<number>([0]);
  const re = /[，；;]|,(?=\s*(?:and\s+)?(?:we|our|but|however|which|although|while|unless|you)\b)/giu;
  for (let m = re.exec(sentence); m; m = re.exec(sentence)) cuts.add(m.index + 1);
  const lower = sentence.toLowerCase();
  for (const b of breaks) {
    const needle = b.toLowerCase();
    for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + 1)) cuts.add(i);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  return sorted.map((start, i) => ({ text: sentence.slice(start, sorted[i + 1] ?? sentence.length), start }));
}

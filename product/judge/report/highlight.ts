/**
 * Splits captured text into plain and highlighted segments, so the template can escape every
 * segment and wrap only the identifier occurrences in <mark>. (Highlighting by inserting markup
 * into the raw text first would let a hostile app's text break out of the escaping.)
 */
export interface Segment {
  text: string;
  mark: boolean;
}

export function highlightSegments(text: string, needles: string[]): Segment[] {
  const wanted = [...new Set(needles.filter((n) => n.length >= 3))].sort((a, b) => b.length - a.length);
  if (wanted.length === 0) return [{ text, mark: false }];
  const lower = text.toLowerCase();
  const ranges: [number, number][] = [];
  for (const needle of wanted) {
    const n = needle.toLowerCase();
    for (let at = lower.indexOf(n); at >= 0; at = lower.indexOf(n, at + n.length)) {
      if (!ranges.some(([s, e]) => at < e && at + n.length > s)) ranges.push([at, at + n.length]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const out: Segment[] = [];
  let pos = 0;
  for (const [start, end] of ranges) {
    if (start > pos) out.push({ text: text.slice(pos, start), mark: false });
    out.push({ text: text.slice(start, end), mark: true });
    pos = end;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), mark: false });
  return out;
}

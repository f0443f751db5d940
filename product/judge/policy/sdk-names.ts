import type { SdkCatalogue, SdkEntry } from '../../evidence/catalogue/sdk-catalogue.js';
import { TermSet, type Lexicon } from './lexicon.js';

export interface SdkMention {
  start: number;
  end: number;
  term: string;
  /** Catalogue SDKs the term names (a vendor name can name several). */
  sdks: SdkEntry[];
  kind: 'sdk' | 'vendor';
}

/** Finds SDK names, aliases and vendor companies from the SDK catalogue in policy text. */
export class SdkNameMatcher {
  private readonly names = new TermSet<SdkEntry[]>();

  constructor(
    catalogue: SdkCatalogue,
    private readonly lexicon: Lexicon,
  ) {
    const byTerm = new Map<string, { sdks: SdkEntry[]; kind: 'sdk' | 'vendor' }>();
    const put = (term: string, sdk: SdkEntry, kind: 'sdk' | 'vendor') => {
      const key = term.toLowerCase();
      const entry = byTerm.get(key) ?? { sdks: [], kind };
      if (!entry.sdks.includes(sdk)) entry.sdks.push(sdk);
      byTerm.set(key, entry);
    };
    for (const sdk of catalogue.entries) {
      put(shortName(sdk), sdk, 'sdk');
      for (const alias of sdk.aliases) put(alias, sdk, 'sdk');
      for (const vendor of sdk.vendor.split(/\s*\/\s*/)) put(vendor, sdk, 'vendor');
    }
    this.kinds = new Map([...byTerm].map(([k, v]) => [k, v.kind]));
    for (const [term, { sdks }] of byTerm) this.names.add(term, sdks);
  }

  private readonly kinds: Map<string, 'sdk' | 'vendor'>;

  /** Mentions in one sentence. Ambiguous aliases ("Adjust", "微信") count only beside an SDK cue word. */
  find(sentence: string, options: { tableCell?: boolean } = {}): SdkMention[] {
    const hasCue = options.tableCell === true || this.lexicon.sdkContextCues.find(sentence).length > 0;
    return this.names
      .find(sentence)
      .filter((m) => hasCue || !this.lexicon.ambiguousAliases.has(m.term.toLowerCase()))
      .map((m) => ({ start: m.start, end: m.end, term: sentence.slice(m.start, m.end), sdks: m.value, kind: this.kinds.get(m.term) ?? 'sdk' }));
  }
}

/** "Umeng (友盟+) analytics and push" → "Umeng": the name as a sentence uses it. */
export function shortName(sdk: Pick<SdkEntry, 'name'>): string {
  return sdk.name.replace(/\s*\(.*$/, '').trim();
}

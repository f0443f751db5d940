import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import { emptyDeclarations, type Declarations, type Evidence } from './declarations.js';
import { resolveDataTerm } from './lexicon.js';
import { policyReaders, type PolicyReaders } from './load.js';

/**
 * A short declared summary, as sample app models and simple lab manifests carry it:
 * `{ dataTypes: [android-id, 位置信息], sdks: [umeng], recipients: [umeng.com, 示例有限公司] }`.
 * Data types are ids or lexicon terms; SDKs are catalogue ids, names or aliases; a recipient with
 * a dot is a domain, anything else a company name. It states content, not the double list.
 */
export const DeclaredSummary = z
  .object({
    dataTypes: z.array(z.string().min(1)).default([]),
    sdks: z.array(z.string().min(1)).default([]),
    recipients: z.array(z.string().min(1)).default([]),
  })
  .strict();
export type DeclaredSummary = z.input<typeof DeclaredSummary>;

export function declarationsFromSummary(summary: DeclaredSummary, options: { file?: string; readers?: PolicyReaders } = {}): Declarations {
  const parsed = DeclaredSummary.parse(summary);
  const readers = options.readers ?? policyReaders();
  const decl = emptyDeclarations();
  decl.sources.push({ kind: 'declarations', ...(options.file ? { file: options.file } : {}) });
  const ev = (text: string): Evidence => ({ source: 'declarations', ...(options.file ? { file: options.file } : {}), text });
  parsed.dataTypes.forEach((item, i) => {
    const resolved = resolveDataTerm(readers.lexicon, item);
    if (!resolved) throw new InputError('DECLARED_INVALID', `unknown data type "${item}"`, { ...(options.file ? { file: options.file } : {}), field: `dataTypes.${i}` });
    for (const dataType of resolved.dataTypes) decl.dataTypes.push({ dataType, term: item, specific: resolved.specific, purposes: [], background: false, evidence: ev(`declared data type: ${item}`) });
  });
  for (const name of parsed.sdks) {
    const known = readers.sdkNames.find(name, { tableCell: true })[0]?.sdks[0];
    const id = known?.id ?? name;
    decl.sdks.push({ id, name, ...(known ? { vendor: known.vendor } : {}), purposes: [], dataTypes: [], evidence: ev(`declared SDK: ${name}`) });
  }
  for (const r of parsed.recipients) {
    const domain = /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(r) ? r.toLowerCase() : undefined;
    decl.recipients.push({ name: r, domains: domain ? [domain] : [], sdkIds: [], evidence: ev(`declared recipient: ${r}`) });
  }
  return decl;
}

import { z } from 'zod';
import { DataTypeId } from '../../contracts/data-types.js';

/**
 * What an app says about itself: the data types it declares, the SDKs and other recipients it
 * names, its purposes and its explicit negations, each with the sentence (or table row, or list
 * entry) that said it. Serialisable: the pipeline writes it to the bundle as declarations.json
 * so that `consentry analyze` can re-judge a bundle offline.
 */
export const DECLARATIONS_VERSION = 1;

export const DeclarationSourceKind = z.enum(['policy-text', 'policy-html', 'sdk-table', 'double-list', 'consent-dialog', 'declarations']);
export type DeclarationSourceKind = z.infer<typeof DeclarationSourceKind>;

/** Where a declaration came from: the sentence or row, the file, and its line when known. */
export const Evidence = z.object({
  source: DeclarationSourceKind,
  file: z.string().optional(),
  line: z.number().int().positive().optional(),
  /** Character offset of the sentence in the text it was read from (after HTML is rendered to text). */
  offset: z.number().int().nonnegative().optional(),
  text: z.string().max(4000),
});
export type Evidence = z.infer<typeof Evidence>;

export const DataTypeDeclaration = z.object({
  dataType: DataTypeId,
  /** The word or phrase that named it (设备识别码, "location"...). */
  term: z.string(),
  /** False when an umbrella term ("设备信息") implied it rather than naming it. */
  specific: z.boolean().default(true),
  purposes: z.array(z.string()).default([]),
  /** Declared as collected in the background (后台 / "in the background"). */
  background: z.boolean().default(false),
  /** The SDK this declaration belongs to (an SDK table row or sharing-list entry), by catalogue id or name. */
  sdk: z.string().optional(),
  evidence: Evidence,
});
export type DataTypeDeclaration = z.infer<typeof DataTypeDeclaration>;

export const SdkDeclaration = z.object({
  /** Catalogue id (product/evidence/catalogue/sdks.yaml) when the name or alias is known. */
  id: z.string().optional(),
  name: z.string(),
  vendor: z.string().optional(),
  purposes: z.array(z.string()).default([]),
  dataTypes: z.array(DataTypeId).default([]),
  policyUrl: z.string().optional(),
  evidence: Evidence,
});
export type SdkDeclaration = z.infer<typeof SdkDeclaration>;

export const RecipientDeclaration = z.object({
  /** Company name or domain as written. */
  name: z.string(),
  /** Domains named for it (from URLs or the text). */
  domains: z.array(z.string()).default([]),
  /** Catalogue SDK ids whose vendor this recipient is. */
  sdkIds: z.array(z.string()).default([]),
  evidence: Evidence,
});
export type RecipientDeclaration = z.infer<typeof RecipientDeclaration>;

export const Negation = z.object({
  dataType: DataTypeId.optional(),
  sdk: z.string().optional(),
  term: z.string(),
  /** The cue that negated it (不会收集, "do not share"). */
  cue: z.string(),
  /** What the negation denies when it is narrower than collection: `storage` ("we never store X, the app reads it"). */
  scope: z.enum(['storage']).optional(),
  evidence: Evidence,
});
export type Negation = z.infer<typeof Negation>;

export const PurposeDeclaration = z.object({ purpose: z.string(), term: z.string(), evidence: Evidence });
export type PurposeDeclaration = z.infer<typeof PurposeDeclaration>;

export const ListPresence = z.object({ present: z.boolean(), evidence: Evidence.optional() });

export const Declarations = z.object({
  version: z.literal(DECLARATIONS_VERSION),
  sources: z.array(z.object({ kind: DeclarationSourceKind, file: z.string().optional() })).default([]),
  dataTypes: z.array(DataTypeDeclaration).default([]),
  sdks: z.array(SdkDeclaration).default([]),
  recipients: z.array(RecipientDeclaration).default([]),
  purposes: z.array(PurposeDeclaration).default([]),
  negations: z.array(Negation).default([]),
  /** MIIT's double list (N2021): the collection list and the third-party sharing list. */
  lists: z
    .object({ collection: ListPresence.default({ present: false }), sharing: ListPresence.default({ present: false }) })
    .default({ collection: { present: false }, sharing: { present: false } }),
});
export type Declarations = z.infer<typeof Declarations>;

export function emptyDeclarations(): Declarations {
  return {
    version: DECLARATIONS_VERSION,
    sources: [],
    dataTypes: [],
    sdks: [],
    recipients: [],
    purposes: [],
    negations: [],
    lists: { collection: { present: false }, sharing: { present: false } },
  };
}

/** Merges declarations from several inputs; duplicates (same item, same evidence text) are dropped. */
export function mergeDeclarations(parts: Declarations[]): Declarations {
  const out = emptyDeclarations();
  const seen = new Set<string>();
  const add = <T>(list: T[], items: T[], key: (t: T) => string) => {
    for (const item of items) {
      const k = key(item);
      if (seen.has(k)) continue;
      seen.add(k);
      list.push(item);
    }
  };
  for (const p of parts) {
    add(out.sources, p.sources, (s) => `src|${s.kind}|${s.file ?? ''}`);
    add(out.dataTypes, p.dataTypes, (d) => `dt|${d.dataType}|${d.sdk ?? ''}|${d.term}|${d.evidence.text}`);
    add(out.sdks, p.sdks, (s) => `sdk|${s.id ?? s.name}|${s.evidence.text}`);
    add(out.recipients, p.recipients, (r) => `rc|${r.name}|${r.evidence.text}`);
    add(out.purposes, p.purposes, (r) => `pp|${r.purpose}|${r.evidence.text}`);
    add(out.negations, p.negations, (n) => `ng|${n.dataType ?? n.sdk ?? ''}|${n.term}|${n.evidence.text}`);
    for (const list of ['collection', 'sharing'] as const) {
      if (p.lists[list].present && !out.lists[list].present) out.lists[list] = p.lists[list];
    }
  }
  return out;
}

/** Data types the app declares (at least one mention that is not negated). */
export function declaredDataTypes(decl: Declarations, options: { acceptUmbrella?: boolean } = {}): Set<DataTypeId> {
  const accept = options.acceptUmbrella ?? true;
  const out = new Set<DataTypeId>();
  for (const d of decl.dataTypes) if (d.specific || accept) out.add(d.dataType);
  for (const s of decl.sdks) for (const t of s.dataTypes) out.add(t);
  return out;
}

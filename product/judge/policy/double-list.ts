import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import type { DataTypeId } from '../../contracts/data-types.js';
import { InputError } from '../../core/errors.js';
import { parseValidated } from '../../core/validated-file.js';
import { emptyDeclarations, type Declarations, type Evidence } from './declarations.js';
import { resolveDataTerm, type Lexicon } from './lexicon.js';
import type { SdkNameMatcher } from './sdk-names.js';

/**
 * MIIT's "double list" (N2021): the personal-information collection list (what is collected,
 * why, in which scenario) and the third-party sharing list (which SDK or company receives what).
 * As YAML or JSON:
 *
 *   collection:
 *     - { dataType: 设备识别码, purpose: 统计分析, scenario: 启动应用, background: false }
 *   sharing:
 *     - { name: 友盟, company: 友盟同欣（北京）科技有限公司, purpose: 统计分析, dataTypes: [android-id, OAID] }
 *
 * or as CSV with a `list` column (collection | sharing, or 收集 | 共享) and the same field names.
 * A data type is a data-type id or any term of the policy lexicon.
 */
export function doubleListSchema(lexicon: Lexicon) {
  const DataItem = z
    .string()
    .min(1)
    .refine((s) => resolveDataTerm(lexicon, s) !== undefined, {
      message: 'unknown data type: expected a data-type id (android-id, location, installed-apps…) or a term from the policy lexicon (设备识别码, 位置信息…)',
    });
  const CollectionItem = z
    .object({
      dataType: DataItem,
      purpose: z.string().optional(),
      scenario: z.string().optional(),
      frequency: z.string().optional(),
      background: z.boolean().default(false),
    })
    .strict();
  const SharingItem = z
    .object({
      name: z.string().min(1),
      sdk: z.string().optional(),
      company: z.string().optional(),
      purpose: z.string().optional(),
      dataTypes: z.array(DataItem).default([]),
      domains: z.array(z.string().min(1)).default([]),
      policyUrl: z.string().optional(),
    })
    .strict();
  return z
    .object({ collection: z.array(CollectionItem).optional(), sharing: z.array(SharingItem).optional() })
    .strict()
    .refine((v) => v.collection !== undefined || v.sharing !== undefined, { message: 'expected a `collection` list, a `sharing` list or both' });
}
export type DoubleList = z.output<ReturnType<typeof doubleListSchema>>;

export interface DoubleListOptions {
  lexicon: Lexicon;
  sdkNames: SdkNameMatcher;
}

export function readDoubleListFile(file: string, options: DoubleListOptions): Declarations {
  const text = readFileSync(file, 'utf8');
  const list = extname(file).toLowerCase() === '.csv' ? parseCsvList(text, file, options.lexicon) : parseValidated(text, file, doubleListSchema(options.lexicon), 'double list');
  return doubleListToDeclarations(list, file, options);
}

const CSV_LISTS: Record<string, 'collection' | 'sharing'> = { collection: 'collection', sharing: 'sharing', 收集: 'collection', 共享: 'sharing' };

/** CSV rows are validated one by one so that the error names the line and the column. */
function parseCsvList(text: string, file: string, lexicon: Lexicon): DoubleList {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parseCsv(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true }) as typeof records;
  } catch (cause) {
    const line = (cause as { lines?: number }).lines;
    throw new InputError('FILE_SYNTAX', `not valid CSV: ${(cause as Error).message}`, { file, ...(line ? { line } : {}), cause });
  }
  const out: { collection: Record<string, unknown>[]; sharing: Record<string, unknown>[] } = { collection: [], sharing: [] };
  const schema = doubleListSchema(lexicon);
  for (const { record, info } of records) {
    const list = CSV_LISTS[(record.list ?? '').trim()];
    if (!list) throw new InputError('FILE_INVALID', `expected "collection" or "sharing" (收集 / 共享), got "${record.list ?? ''}"`, { file, line: info.lines, field: 'list' });
    const split = (s: string | undefined) => (s ? s.split(/[;；、|]/u).map((x) => x.trim()).filter(Boolean) : []);
    const item: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(record)) {
      if (key === 'list' || value === '') continue;
      if (key === 'dataTypes' || key === 'domains') item[key] = split(value);
      else if (key === 'background') item[key] = /^(true|yes|是|1)$/iu.test(value);
      else item[key] = value;
    }
    const result = schema.safeParse({ [list]: [item] });
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.slice(2).join('.') || issue.path.join('.');
      throw new InputError('FILE_INVALID', `${issue.message} in the double list`, { file, line: info.lines, field: field || '(row)' });
    }
    out[list].push(item);
  }
  return schema.parse({
    ...(out.collection.length ? { collection: out.collection } : {}),
    ...(out.sharing.length ? { sharing: out.sharing } : {}),
  });
}

export function doubleListToDeclarations(list: DoubleList, file: string | undefined, options: DoubleListOptions): Declarations {
  const decl = emptyDeclarations();
  decl.sources.push({ kind: 'double-list', ...(file ? { file } : {}) });
  const ev = (text: string): Evidence => ({ source: 'double-list', ...(file ? { file } : {}), text });
  const purposesOf = (text: string | undefined) => [...new Set(options.lexicon.purposes.find(text ?? '').map((m) => m.value))];
  for (const item of list.collection ?? []) {
    const resolved = resolveDataTerm(options.lexicon, item.dataType)!;
    const evidence = ev(`collection: ${item.dataType}${item.purpose ? ` — ${item.purpose}` : ''}${item.scenario ? ` (${item.scenario})` : ''}`);
    for (const dataType of resolved.dataTypes) {
      decl.dataTypes.push({ dataType, term: item.dataType, specific: resolved.specific, purposes: purposesOf(item.purpose), background: item.background, evidence });
    }
  }
  for (const item of list.sharing ?? []) {
    const evidence = ev(`sharing: ${item.name}${item.company ? ` (${item.company})` : ''}${item.purpose ? ` — ${item.purpose}` : ''}`);
    const known = item.sdk ? undefined : options.sdkNames.find(`${item.name} ${item.company ?? ''}`, { tableCell: true });
    const id = item.sdk ?? known?.find((k) => k.kind === 'sdk')?.sdks[0]?.id ?? known?.[0]?.sdks[0]?.id;
    const types = new Set<DataTypeId>();
    for (const d of item.dataTypes) for (const t of resolveDataTerm(options.lexicon, d)!.dataTypes) types.add(t);
    const purposes = purposesOf(item.purpose);
    decl.sdks.push({
      ...(id ? { id } : {}),
      name: item.name,
      ...(item.company ? { vendor: item.company } : {}),
      purposes,
      dataTypes: [...types],
      ...(item.policyUrl ? { policyUrl: item.policyUrl } : {}),
      evidence,
    });
    for (const dataType of types) decl.dataTypes.push({ dataType, term: dataType, specific: true, purposes, background: false, sdk: id ?? item.name, evidence });
    decl.recipients.push({ name: item.company ?? item.name, domains: item.domains, sdkIds: id ? [id] : [], evidence });
  }
  if (list.collection?.length) decl.lists.collection = { present: true, evidence: ev(`collection list: ${list.collection.length} item(s)`) };
  if (list.sharing?.length) decl.lists.sharing = { present: true, evidence: ev(`sharing list: ${list.sharing.length} item(s)`) };
  return decl;
}

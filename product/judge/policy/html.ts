import { emptyDeclarations, mergeDeclarations, type Declarations, type Evidence } from './declarations.js';
import { dataTypesIn, extractFromText, type ExtractOptions } from './extract-text.js';
import { readHtmlStream, type TableRows } from './input-html-stream.js';

type Column = 'name' | 'company' | 'purpose' | 'data' | 'policy';

/**
 * Header words of the SDK tables Chinese policies carry (SDK名称 / 第三方名称 / 公司 / 使用目的 /
 * 收集个人信息类型 / 隐私政策链接) and their English counterparts. Checked in this order, because
 * "收集个人信息的目的" is a purpose column although it mentions 个人信息.
 */
const COLUMN_PATTERNS: [Column, RegExp][] = [
  ['policy', /隐私政策|隐私权政策|链接|网址|privacy|policy|link|url/iu],
  ['purpose', /目的|用途|使用场景|业务场景|功能|purpose|usage|used for/iu],
  ['data', /个人信息|信息类型|收集.*信息|共享.*信息|数据类型|字段|权限|data|information|permissions?/iu],
  ['company', /公司|主体|提供方|运营方|开发者|所属|company|provider|vendor|operator|developer/iu],
  ['name', /SDK|名称|第三方|合作方|third[- ]?party|name|partner/iu],
];

export function classifyHeader(cell: string): Column | undefined {
  const text = cell.replace(/\s+/g, ' ').trim();
  if (!text) return undefined;
  return COLUMN_PATTERNS.find(([, re]) => re.test(text))?.[0];
}

/**
 * Declarations from an HTML policy (a saved page or the HTML of the consent dialog): SDK tables
 * and collection-list tables are read row by row; everything else is read as prose, one line
 * per block element so list items and paragraphs stay separate sentences. The page is read in
 * one pass without a tree (input-html-stream.ts), so its size and nesting cost linear time.
 */
export function extractFromHtml(html: string, options: Omit<ExtractOptions, 'source'>): Declarations {
  const tableDecls: Declarations[] = [];
  const text = readHtmlStream(html, {
    onTable(rows) {
      const decl = readTable(rows, options);
      if (decl) tableDecls.push(decl);
      return decl !== undefined;
    },
  }).replace(/[ \t\u00a0]+/g, ' ');
  const prose = extractFromText(text, { ...options, source: 'policy-html' });
  // Lines of extracted text are not lines of the HTML file: drop them rather than mislead.
  for (const list of [prose.dataTypes, prose.sdks, prose.recipients, prose.purposes, prose.negations]) {
    for (const item of list) delete (item.evidence as Evidence).line;
  }
  for (const list of ['collection', 'sharing'] as const) delete prose.lists[list].evidence?.line;
  return mergeDeclarations([prose, ...tableDecls]);
}

/** Reads an SDK table or a collection-list table; undefined for any other table. */
function readTable(allRows: TableRows, options: Omit<ExtractOptions, 'source'>): Declarations | undefined {
  const rows = allRows.filter((r) => r.some((c) => c));
  if (rows.length < 2) return undefined;
  // Layout A: a header row, one SDK per row. Layout B: one SDK per table, field names down column 1.
  const header = rows[0]!.map(classifyHeader);
  if (header.includes('name') && header.some((c) => c === 'data' || c === 'company' || c === 'purpose')) {
    const decl = emptyDeclarations();
    for (const row of rows.slice(1)) addSdkRow(decl, fields(header, row), row.join(' | '), options);
    return finishTable(decl, 'sharing', rows[0]!.join(' | '), options.file);
  }
  const vertical = rows.map((r) => classifyHeader(r[0] ?? ''));
  if (rows.every((r) => r.length >= 2) && vertical.includes('name') && vertical.filter(Boolean).length >= 2) {
    const decl = emptyDeclarations();
    const byField: Partial<Record<Column, string>> = {};
    rows.forEach((r, i) => {
      const col = vertical[i];
      if (col && byField[col] === undefined) byField[col] = r.slice(1).join(' ');
    });
    addSdkRow(decl, byField, rows.map((r) => r.join(': ')).join(' | '), options);
    return finishTable(decl, 'sharing', rows[0]!.join(': '), options.file);
  }
  if (header.includes('data') && header.includes('purpose')) {
    const decl = emptyDeclarations();
    for (const row of rows.slice(1)) {
      const f = fields(header, row);
      const evidence: Evidence = { source: 'policy-html', ...(options.file ? { file: options.file } : {}), text: row.join(' | ') };
      const found = dataTypesIn(f.data ?? '', options.lexicon);
      const purposes = purposeIds(f.purpose ?? '', options);
      for (const item of found.items) decl.dataTypes.push({ ...item, purposes, background: false, evidence });
    }
    return finishTable(decl, 'collection', rows[0]!.join(' | '), options.file);
  }
  return undefined;
}

function fields(header: (Column | undefined)[], row: string[]): Partial<Record<Column, string>> {
  const out: Partial<Record<Column, string>> = {};
  header.forEach((col, i) => {
    if (col && out[col] === undefined && row[i] !== undefined) out[col] = row[i];
  });
  return out;
}

function purposeIds(text: string, options: Omit<ExtractOptions, 'source'>): string[] {
  return [...new Set(options.lexicon.purposes.find(text).map((m) => m.value))];
}

function addSdkRow(decl: Declarations, f: Partial<Record<Column, string>>, rowText: string, options: Omit<ExtractOptions, 'source'>): void {
  const name = f.name?.trim();
  if (!name) return;
  const evidence: Evidence = { source: 'sdk-table', ...(options.file ? { file: options.file } : {}), text: rowText.slice(0, 4000) };
  const known = options.sdkNames.find(`${name} ${f.company ?? ''}`, { tableCell: true });
  const sdk = known.find((k) => k.kind === 'sdk')?.sdks[0] ?? known[0]?.sdks[0];
  const found = dataTypesIn(f.data ?? '', options.lexicon);
  const purposes = purposeIds(`${f.purpose ?? ''}`, options);
  const policyUrl = /https?:\/\/\S+/u.exec(f.policy ?? '')?.[0];
  decl.sdks.push({
    ...(sdk ? { id: sdk.id } : {}),
    name,
    ...(f.company ? { vendor: f.company } : sdk ? { vendor: sdk.vendor } : {}),
    purposes,
    dataTypes: found.dataTypes,
    ...(policyUrl ? { policyUrl } : {}),
    evidence,
  });
  for (const item of found.items) decl.dataTypes.push({ ...item, purposes, background: false, sdk: sdk?.id ?? name, evidence });
  if (f.company) {
    const domain = policyUrl ? safeHost(policyUrl) : undefined;
    decl.recipients.push({ name: f.company, domains: domain ? [domain] : [], sdkIds: sdk ? [sdk.id] : [], evidence });
  }
}

function safeHost(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return undefined;
  }
}

function finishTable(decl: Declarations, list: 'collection' | 'sharing', headerText: string, file: string | undefined): Declarations {
  decl.sources.push({ kind: 'sdk-table', ...(file ? { file } : {}) });
  decl.lists[list] = { present: true, evidence: { source: 'sdk-table', ...(file ? { file } : {}), text: headerText } };
  return decl;
}

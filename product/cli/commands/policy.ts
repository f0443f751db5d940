import type { Command } from 'commander';
import { DATA_TYPE_LABELS, DataTypeId } from '../../contracts/data-types.js';
import { InputError } from '../../core/errors.js';
import { declaredDataTypes, type Declarations } from '../../judge/policy/declarations.js';
import type { ExplainEntry } from '../../judge/policy/read-prose.js';
import { action } from '../action.js';
import { table } from '../table.js';

/** `consentry policy FILE...`: what a policy, SDK table or double list declares, with its evidence. */
export function registerPolicy(program: Command): void {
  program
    .command('policy <files...>')
    .description('declarations extracted from a privacy policy (text/HTML), an SDK table page or a double list (YAML/JSON/CSV)')
    .option('--explain <type>', 'say why a data type (android-id, location…) was or was not taken: the sentences that named it, negated it or were rejected')
    .action(
      action(async (ctx, files: string[], opts: { explain?: string }) => {
        const { readPolicyFiles, policyReaders } = await import('../../judge/policy/index.js');
        let explain: DataTypeId | undefined;
        if (opts.explain !== undefined) {
          const parsed = DataTypeId.safeParse(opts.explain);
          if (!parsed.success) throw new InputError('USAGE', `unknown data type "${opts.explain}": expected one of ${DataTypeId.options.join(', ')}`, { field: '--explain' });
          explain = parsed.data;
        }
        // The prose reader appends each data-term decision to `trace` when the readers carry one.
        const trace: ExplainEntry[] = [];
        const decl = readPolicyFiles(files, { ...policyReaders(), trace } as ReturnType<typeof policyReaders>);
        if (explain) {
          const entries = trace.filter((e) => e.dataType === explain);
          const declared = declaredDataTypes(decl).has(explain);
          if (ctx.json) ctx.outJson({ dataType: explain, declared, entries });
          else ctx.out(renderExplain(explain, declared, entries));
          return;
        }
        if (ctx.json) {
          ctx.outJson(decl);
          return;
        }
        ctx.out(renderDeclarations(decl));
      }),
    );
}

const cut = (s: string, n = 70) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const where = (e: { file?: string; line?: number }) => (e.file ? `${e.file}${e.line ? `:${e.line}` : ''}` : '');

/** Why a data type was or was not taken, sentence by sentence. */
export function renderExplain(dataType: DataTypeId, declared: boolean, entries: ExplainEntry[]): string {
  const out = [`${dataType} (${DATA_TYPE_LABELS[dataType]}): ${declared ? 'DECLARED' : 'NOT declared'}`];
  if (entries.length === 0) out.push('No sentence of the policy prose names it (SDK tables and double lists are not traced).');
  else out.push(table(['verdict', 'term', 'where', 'why', 'sentence'], entries.map((e) => [e.verdict, e.term, e.line ? `line ${e.line}` : e.offset !== undefined ? `offset ${e.offset}` : '', e.reason, cut(e.sentence, 90)])));
  return out.join('\n');
}

export function renderDeclarations(decl: Declarations): string {
  const out: string[] = [];
  const declared = declaredDataTypes(decl);
  out.push(`Data types declared (${declared.size}):`);
  const rows = [...declared].sort().map((t) => {
    const first = decl.dataTypes.find((d) => d.dataType === t && d.specific) ?? decl.dataTypes.find((d) => d.dataType === t);
    const fromSdk = decl.sdks.find((s) => s.dataTypes.includes(t));
    const evidence = first?.evidence ?? fromSdk?.evidence;
    return [t, DATA_TYPE_LABELS[t], first ? `${first.term}${first.specific ? '' : ' (broad term)'}` : '', evidence ? where(evidence) : '', evidence ? cut(evidence.text) : ''];
  });
  out.push(table(['data type', 'meaning', 'term', 'where', 'declaring sentence'], rows));
  out.push('', `SDKs (${decl.sdks.length}):`);
  out.push(table(['sdk', 'name', 'vendor', 'data types', 'source'], decl.sdks.map((s) => [s.id ?? '(not in catalogue)', s.name, s.vendor, s.dataTypes.join(', '), s.evidence.source])));
  out.push('', `Recipients (${decl.recipients.length}):`);
  out.push(table(['name', 'domains', 'sdks'], decl.recipients.map((r) => [r.name, r.domains.join(', '), r.sdkIds.join(', ')])));
  out.push('', `Negations (${decl.negations.length}):`);
  out.push(table(['item', 'cue', 'sentence'], decl.negations.map((n) => [n.dataType ?? n.sdk ?? n.term, n.cue, cut(n.evidence.text)])));
  const list = (present: boolean) => (present ? 'present' : 'MISSING');
  out.push('', `Double list: collection list ${list(decl.lists.collection.present)}, third-party sharing list ${list(decl.lists.sharing.present)}`);
  return out.join('\n');
}

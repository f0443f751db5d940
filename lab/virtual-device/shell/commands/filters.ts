import type { CommandContext, ShellCommand } from '../command-context.js';

/** Text filters for pipelines (`... | grep X`, `| head -n 5`, `| tail`, `| wc -l`). */

async function* lines(ctx: CommandContext): AsyncGenerator<string> {
  let rest = '';
  for await (const chunk of ctx.streams.stdin) {
    if (ctx.signal.aborted) return;
    const text = rest + (chunk as Buffer).toString('utf8');
    const parts = text.split('\n');
    rest = parts.pop() ?? '';
    for (const line of parts) yield line;
  }
  if (rest) yield rest;
}

async function inputLines(ctx: CommandContext, files: string[]): Promise<AsyncIterable<string> | Iterable<string>> {
  if (files.length === 0) return lines(ctx);
  const text = files.map((f) => ctx.os.fs.readFile(f).toString('utf8')).join('');
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

export const grep: ShellCommand = async (ctx) => {
  const flags = new Set<string>();
  const rest: string[] = [];
  const patterns: string[] = [];
  for (let i = 0; i < ctx.args.length; i += 1) {
    const a = ctx.args[i]!;
    if (a === '-e') patterns.push(ctx.args[++i] ?? '');
    else if (/^-[A-Za-z]+$/.test(a)) for (const f of a.slice(1)) flags.add(f);
    else rest.push(a);
  }
  if (patterns.length === 0) patterns.push(rest.shift() ?? '');
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = patterns
    .map((p) => (flags.has('F') ? escape(p) : flags.has('E') ? p : p.replace(/\\([|()+?{}])/g, '$1')))
    .map((p) => (flags.has('w') ? `\\b(?:${p})\\b` : p))
    .join('|');
  const re = new RegExp(source, flags.has('i') ? 'i' : '');
  let count = 0;
  for await (const line of await inputLines(ctx, rest)) {
    if (re.test(line) !== flags.has('v')) {
      count += 1;
      if (flags.has('q')) return 0;
      if (!flags.has('c')) await ctx.out(`${flags.has('o') ? (re.exec(line)?.[0] ?? line) : line}\n`);
    }
  }
  if (flags.has('c')) await ctx.out(`${count}\n`);
  return count > 0 ? 0 : 1;
};

function countArg(args: string[], fallback: number): { n: number; files: string[] } {
  let n = fallback;
  const files: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i]!;
    if (a === '-n') n = Number(args[++i] ?? fallback);
    else if (/^-\d+$/.test(a)) n = Number(a.slice(1));
    else if (/^-n\d+$/.test(a)) n = Number(a.slice(2));
    else files.push(a);
  }
  return { n, files };
}

export const head: ShellCommand = async (ctx) => {
  const { n, files } = countArg(ctx.args, 10);
  let seen = 0;
  if (n <= 0) return 0;
  for await (const line of await inputLines(ctx, files)) {
    await ctx.out(`${line}\n`);
    seen += 1;
    if (seen >= n) break;
  }
  return 0;
};

export const tail: ShellCommand = async (ctx) => {
  const { n, files } = countArg(ctx.args, 10);
  const kept: string[] = [];
  for await (const line of await inputLines(ctx, files)) {
    kept.push(line);
    if (kept.length > n) kept.shift();
  }
  await ctx.out(kept.map((l) => `${l}\n`).join(''));
  return 0;
};

export const wc: ShellCommand = async (ctx) => {
  let count = 0;
  let words = 0;
  let chars = 0;
  for await (const line of await inputLines(ctx, ctx.args.filter((a) => !a.startsWith('-')))) {
    count += 1;
    words += line.split(/\s+/).filter(Boolean).length;
    chars += Buffer.byteLength(line) + 1;
  }
  await ctx.out(ctx.args.includes('-l') ? `${count}\n` : `${count} ${words} ${chars}\n`);
  return 0;
};

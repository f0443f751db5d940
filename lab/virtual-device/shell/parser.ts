/**
 * A small parser for the mksh command lines adb clients send: quoting ('...', "...", \x),
 * `;` `&&` `||` `&`, pipes, redirections (`> f`, `>> f`, `2> f`, `2>&1`, `< f`), `#` comments
 * and `$VAR` / `${VAR}` / `$?` expansion. No globbing, command substitution or control flow:
 * nothing adb, adbkit or Appium sends needs them.
 */

/** A word is kept as parts so that expansion happens at run time and not inside single quotes. */
export interface WordPart {
  text: string;
  /** Single-quoted (or backslash-escaped) text: never expanded. */
  literal: boolean;
}
export type Word = WordPart[];

export type Redirect =
  | { kind: 'file'; fd: 0 | 1 | 2; target: Word; append: boolean }
  | { kind: 'dup'; fd: 1 | 2; to: 1 | 2 };

export interface SimpleCommand {
  words: Word[];
  redirects: Redirect[];
}

export interface Pipeline {
  commands: SimpleCommand[];
  /** Leading `!`: the status is negated. */
  negate: boolean;
}

/** How a pipeline joins the one before it. */
export type Connector = ';' | '&&' | '||';

export interface CommandList {
  items: { connector: Connector; pipeline: Pipeline; background: boolean }[];
}

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(`syntax error: ${message}`);
  }
}

type PendingRedirect = { kind: 'file'; fd: 0 | 1 | 2; append: boolean } | { kind: 'dup'; fd: 1 | 2; to: 1 | 2 };
type Token = { type: 'word'; word: Word } | { type: 'op'; op: string } | { type: 'redir'; redirect: PendingRedirect };

const OPERATOR_START = new Set([';', '&', '|', '<', '>', '\n']);

function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let parts: WordPart[] | undefined;
  const pushPart = (text: string, literal: boolean) => {
    parts ??= [];
    const last = parts[parts.length - 1];
    if (last && last.literal === literal) last.text += text;
    else parts.push({ text, literal });
  };
  const endWord = () => {
    if (parts) tokens.push({ type: 'word', word: parts });
    parts = undefined;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i += 1;
    } else if (c === '#' && parts === undefined) {
      // A comment runs to the end of the line.
      while (i < line.length && line[i] !== '\n') i += 1;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) throw new ShellSyntaxError("unterminated '");
      pushPart(line.slice(i + 1, end), true);
      // An empty '' still makes a word.
      parts ??= [];
      i = end + 1;
    } else if (c === '"') {
      i += 1;
      let text = '';
      parts ??= [];
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) {
          const next = line[i + 1]!;
          if (next === '$') {
            if (text) pushPart(text, false);
            text = '';
            pushPart('$', true);
          } else if (next !== '\n') text += next;
          i += 2;
        } else {
          text += line[i];
          i += 1;
        }
      }
      if (i >= line.length) throw new ShellSyntaxError('unterminated "');
      if (text) pushPart(text, false);
      i += 1;
    } else if (c === '\\') {
      if (i + 1 < line.length && line[i + 1] !== '\n') pushPart(line[i + 1]!, true);
      i += 2;
    } else if (OPERATOR_START.has(c)) {
      // "2>" and "2>&1": a lone digit word right before > is a file descriptor.
      let fd: 0 | 1 | 2 | undefined;
      if ((c === '>' || c === '<') && parts && parts.length === 1 && /^[012]$/.test(parts[0]!.text) && !parts[0]!.literal) {
        fd = Number(parts[0]!.text) as 0 | 1 | 2;
        parts = undefined;
      }
      endWord();
      const two = line.slice(i, i + 2);
      if (two === '&&' || two === '||') {
        tokens.push({ type: 'op', op: two });
        i += 2;
      } else if (c === '>' || c === '<') {
        if (c === '<') {
          tokens.push({ type: 'redir', redirect: { kind: 'file', fd: 0, append: false } });
          i += 1;
          continue;
        }
        const append = two === '>>';
        i += append ? 2 : 1;
        const src = (fd ?? 1) as 1 | 2;
        const dup = /^&([12])/.exec(line.slice(i));
        if (dup) {
          tokens.push({ type: 'redir', redirect: { kind: 'dup', fd: src, to: Number(dup[1]) as 1 | 2 } });
          i += 2;
        } else {
          tokens.push({ type: 'redir', redirect: { kind: 'file', fd: src, append } });
        }
      } else {
        tokens.push({ type: 'op', op: c === '\n' ? ';' : c });
        i += 1;
      }
    } else {
      let j = i;
      while (j < line.length && !` \t\r'"\\`.includes(line[j]!) && !OPERATOR_START.has(line[j]!)) j += 1;
      pushPart(line.slice(i, j), false);
      i = j;
    }
  }
  endWord();
  return tokens;
}

export function parseCommandLine(line: string): CommandList {
  const tokens = tokenize(line);
  const list: CommandList = { items: [] };
  let connector: Connector = ';';
  let pipeline: Pipeline = { commands: [], negate: false };
  let command: SimpleCommand = { words: [], redirects: [] };

  const endCommand = (required: boolean) => {
    if (command.words.length === 0 && command.redirects.length === 0) {
      if (required) throw new ShellSyntaxError('missing command');
      return false;
    }
    pipeline.commands.push(command);
    command = { words: [], redirects: [] };
    return true;
  };
  const endPipeline = (background: boolean, required: boolean) => {
    const hadCommand = endCommand(false);
    if (!hadCommand && pipeline.commands.length > 0) throw new ShellSyntaxError("unexpected '|'");
    if (pipeline.commands.length === 0) {
      if (required) throw new ShellSyntaxError('missing command');
      return;
    }
    list.items.push({ connector, pipeline, background });
    pipeline = { commands: [], negate: false };
  };

  for (let t = 0; t < tokens.length; t += 1) {
    const token = tokens[t]!;
    if (token.type === 'word') {
      const text = token.word.map((p) => p.text).join('');
      if (text === '!' && command.words.length === 0 && pipeline.commands.length === 0 && !token.word[0]!.literal) {
        pipeline.negate = !pipeline.negate;
        continue;
      }
      command.words.push(token.word);
    } else if (token.type === 'redir') {
      const redirect = token.redirect;
      if (redirect.kind === 'file') {
        const next = tokens[t + 1];
        if (next?.type !== 'word') throw new ShellSyntaxError('missing redirection target');
        t += 1;
        command.redirects.push({ ...redirect, target: next.word });
      } else command.redirects.push(redirect);
    } else if (token.op === '|') {
      endCommand(true);
    } else if (token.op === '&&' || token.op === '||') {
      endPipeline(false, true);
      connector = token.op;
    } else {
      endPipeline(token.op === '&', false);
      connector = ';';
    }
  }
  endPipeline(false, connector !== ';');
  return list;
}

/** Expands `$NAME`, `${NAME}` and `$?` in the non-literal parts of a word. */
export function expandWord(word: Word, lookup: (name: string) => string | undefined): string {
  return word
    .map((part) =>
      part.literal
        ? part.text
        : part.text.replace(/\$(\?|\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)/g, (_m, name: string) => {
            const key = name.startsWith('{') ? name.slice(1, -1) : name;
            return lookup(key) ?? '';
          }),
    )
    .join('');
}

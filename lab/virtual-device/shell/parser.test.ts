import { describe, expect, it } from 'vitest';
import { expandWord, parseCommandLine, ShellSyntaxError } from './parser.js';

const words = (line: string, env: Record<string, string> = {}) =>
  parseCommandLine(line).items.map((i) => i.pipeline.commands.map((c) => c.words.map((w) => expandWord(w, (k) => env[k]))));

describe('shell parser', () => {
  it('splits words with single, double and backslash quoting', () => {
    expect(words(`am start -n 'a b' "c d" e\\ f ''`)).toEqual([[['am', 'start', '-n', 'a b', 'c d', 'e f', '']]]);
  });

  it('parses ; && || and pipes, keeping each connector', () => {
    const list = parseCommandLine('a; b && c || d | e');
    expect(list.items.map((i) => i.connector)).toEqual([';', ';', '&&', '||']);
    expect(list.items[3]!.pipeline.commands).toHaveLength(2);
  });

  it('parses redirections: > file, >> file, 2>&1, 2>/dev/null, < file', () => {
    const [cmd] = parseCommandLine('ls /x > /dev/null 2>&1 2>/tmp/e >>/tmp/o < /in').items[0]!.pipeline.commands;
    expect(cmd!.words.map((w) => expandWord(w, () => undefined))).toEqual(['ls', '/x']);
    expect(cmd!.redirects.map((r) => (r.kind === 'dup' ? `${r.fd}>&${r.to}` : `${r.fd}${r.append ? '>>' : '>'}${expandWord(r.target, () => undefined)}`))).toEqual([
      '1>/dev/null',
      '2>&1',
      '2>/tmp/e',
      '1>>/tmp/o',
      '0>/in',
    ]);
  });

  it('expands $VAR, ${VAR} and $? outside single quotes only', () => {
    expect(words(`echo $A "\${A}x" '$A' \\$A $?`, { A: 'v', '?': '0' })).toEqual([[['echo', 'v', 'vx', '$A', '$A', '0']]]);
  });

  it('treats a trailing & as background and # as a comment', () => {
    const list = parseCommandLine('logcat & echo hi # not this');
    expect(list.items.map((i) => i.background)).toEqual([true, false]);
    expect(words('echo hi # x')).toEqual([[['echo', 'hi']]]);
  });

  it('reports unterminated quotes and dangling operators', () => {
    expect(() => parseCommandLine("echo 'x")).toThrow(ShellSyntaxError);
    expect(() => parseCommandLine('echo x &&')).toThrow(ShellSyntaxError);
    expect(() => parseCommandLine('| grep x')).toThrow(ShellSyntaxError);
  });
});

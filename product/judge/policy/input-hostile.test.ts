import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors.js';
import { declaredDataTypes, type Declarations } from './declarations.js';
import { policyReaders, readPolicyFile, type PolicyReaders } from './load.js';

/**
 * Policy files come from anywhere: devices, pipes, binaries, huge or deeply nested pages, and
 * Chinese pages in GBK or Big5. Each must give one clear InputError (exit 2) or be read right.
 */
let dir: string;
let readers: PolicyReaders;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'consentry-hostile-'));
  readers = policyReaders();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

const read = (file: string, maxBytes?: number): Declarations => readPolicyFile(file, readers, maxBytes ? { maxBytes } : {});
const types = (decl: Declarations) => [...declaredDataTypes(decl)].sort();

/**
 * An encoder for a legacy double-byte charset built by inverting Node's own decoder over every
 * lead/trail byte pair, so the tests need no encoding library.
 */
function legacyEncoder(encoding: string): (text: string) => Buffer {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const table = new Map<string, [number, number]>();
  for (let lead = 0x81; lead <= 0xfe; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) {
      try {
        const ch = decoder.decode(Uint8Array.of(lead, trail));
        if ([...ch].length === 1 && !table.has(ch)) table.set(ch, [lead, trail]);
      } catch {
        // not a valid pair in this charset
      }
    }
  }
  return (text) =>
    Buffer.from(
      [...text].flatMap((ch) => {
        if (ch.charCodeAt(0) < 0x80) return [ch.charCodeAt(0)];
        const bytes = table.get(ch);
        if (!bytes) throw new Error(`${ch} has no ${encoding} encoding`);
        return bytes;
      }),
    );
}

const SIMPLIFIED =
  '隐私政策\n为了向您提供天气预报服务，我们会收集您的位置信息。\n为了帮助您邀请好友，经您同意后我们会读取您的通讯录。\n' +
  '我们不会收集您的短信内容。\n如您拒绝提供上述信息，您可以选择不提供，但可能无法使用部分功能。\n';
const TRADITIONAL =
  '隱私權政策\n為了向您提供天氣預報服務，我們會收集您的位置資訊。\n為了幫助您邀請好友，經您同意後我們會讀取您的通訊錄。\n' +
  '如您拒絕提供上述資訊，您可以選擇不提供，但可能無法使用部分功能。\n';

describe('file kinds and size', () => {
  it('refuses /dev/zero (a device that never ends) before reading it', () => {
    const err = inputError(() => read('/dev/zero'));
    expect(err.code).toBe('POLICY_NOT_FILE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe('/dev/zero: expected a regular file (a saved page, text, YAML, JSON or CSV), got a character device');
  });

  it('refuses a FIFO without waiting for a writer, a directory, and a symlink to a device', () => {
    const fifo = join(dir, 'policy.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(inputError(() => read(fifo)).message).toMatch(/policy\.fifo: expected a regular file .*got a named pipe \(FIFO\)$/u);
    const folder = join(dir, 'policy.html');
    mkdirSync(folder);
    expect(inputError(() => read(folder)).message).toMatch(/got a directory$/u);
    const link = join(dir, 'zero.txt');
    symlinkSync('/dev/zero', link);
    expect(inputError(() => read(link)).code).toBe('POLICY_NOT_FILE');
  });

  it('reads through a symlink to a regular file', () => {
    const target = write('real.txt', 'We collect your location to show local forecasts.\n');
    const link = join(dir, 'link.txt');
    symlinkSync(target, link);
    expect(types(read(link))).toEqual(['location']);
  });

  it('refuses a file over policy.maxBytes, naming the file, its size and the setting', () => {
    const file = write('long-policy.txt', 'We collect your location. '.repeat(200));
    const err = inputError(() => read(file, 1024));
    expect(err.code).toBe('POLICY_TOO_LARGE');
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`${file}, field "size": the policy is 5.1 KB, over the limit of 1.0 KB (1024 bytes) set by policy.maxBytes in the config`);
    expect(types(read(file, 8192))).toEqual(['location']);
  });
});

describe('binary content', () => {
  it('refuses random bytes instead of "finding" location or SMS in them', () => {
    const err = inputError(() => read(write('random.txt', randomBytes(64 * 1024))));
    expect(err.code).toBe('POLICY_NOT_TEXT');
    expect(err.exitCode).toBe(2);
    expect(err.message).toMatch(/random\.txt, field "content": not a text document: /u);
  });

  it('refuses random bytes with no NUL byte (invalid in every encoding, or mostly control characters)', () => {
    const bytes = randomBytes(64 * 1024).map((b) => (b === 0 ? 1 : b));
    expect(inputError(() => read(write('random-no-nul.html', bytes))).code).toBe('POLICY_NOT_TEXT');
  });

  it('names a PDF, which people save policies as', () => {
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2048)]);
    expect(inputError(() => read(write('policy.pdf', pdf))).message).toMatch(/not a text document: it starts like a PDF file/u);
  });

  it('refuses text with a NUL byte in it', () => {
    const bytes = Buffer.from('We collect your location.\u0000\u0000\u0001 SMS');
    expect(inputError(() => read(write('nul.txt', bytes))).message).toMatch(/NUL byte \(offset 25\)/u);
  });
});

describe('charsets', () => {
  const gbk = legacyEncoder('gbk');
  const big5 = legacyEncoder('big5');

  it('reads a GBK policy with no declaration (detected)', () => {
    const decl = read(write('policy-gbk.txt', gbk(SIMPLIFIED)));
    expect(types(decl)).toEqual(['contacts', 'location']);
    expect(decl.dataTypes.find((d) => d.dataType === 'contacts')?.evidence.text).toBe('为了帮助您邀请好友，经您同意后我们会读取您的通讯录。');
    expect(decl.negations.map((n) => n.dataType)).toContain('sms');
  });

  it('reads a GBK page that declares its charset, and one whose meta wrongly says utf-8', () => {
    const body = SIMPLIFIED.split('\n').map((l) => `<p>${l}</p>`).join('\n');
    for (const meta of ['<meta charset="gbk">', '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', '<meta charset="utf-8">']) {
      const decl = read(write('policy-gbk.html', gbk(`<!doctype html><html><head>${meta}<title>隐私政策</title></head><body>${body}</body></html>`)));
      expect(types(decl), meta).toEqual(['contacts', 'location']);
    }
  });

  it('reads a Big5 policy (Traditional Chinese), detected and declared', () => {
    const bytes = big5(TRADITIONAL);
    const detected = read(write('policy-big5.txt', bytes));
    expect(detected.dataTypes.find((d) => d.dataType === 'location')?.evidence.text).toBe('為了向您提供天氣預報服務，我們會收集您的位置資訊。');
    const page = read(write('policy-big5.html', Buffer.concat([Buffer.from('<html><head><meta charset="big5"></head><body><p>'), bytes, Buffer.from('</p></body></html>')])));
    expect(page.dataTypes.map((d) => d.evidence.text)).toContain('為了向您提供天氣預報服務，我們會收集您的位置資訊。');
  });

  it('reads an XML declaration of the charset', () => {
    const xhtml = gbk(`<?xml version="1.0" encoding="GBK"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><p>${SIMPLIFIED}</p></body></html>`);
    expect(types(read(write('policy.xhtml', xhtml)))).toEqual(['contacts', 'location']);
  });

  it('reads UTF-16 with a byte-order mark, little- and big-endian', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(SIMPLIFIED, 'utf16le')]);
    expect(types(read(write('policy-utf16le.txt', le)))).toEqual(['contacts', 'location']);
    const be = Buffer.from(le);
    be.swap16();
    expect(types(read(write('policy-utf16be.txt', be)))).toEqual(['contacts', 'location']);
  });

  it('reads UTF-8 with a byte-order mark, leaving the mark out of the text', () => {
    const decl = read(write('policy-bom.txt', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(SIMPLIFIED)])));
    expect(decl.dataTypes.find((d) => d.dataType === 'location')?.evidence.text.startsWith('\ufeff')).toBe(false);
    expect(types(decl)).toEqual(['contacts', 'location']);
  });
});

describe('HTML nesting and size', () => {
  it('reads a page of 5,000 nested <div>s (a recursive walk overflowed the stack)', () => {
    const html = `<html><body>${'<div>'.repeat(5000)}<p>We collect your approximate location.</p>${'</div>'.repeat(5000)}</body></html>`;
    expect(types(read(write('nested-5000.html', html)))).toEqual(['location']);
  });

  it('reads 100,000 nested <div>s left unclosed, and tables nested 1,000 deep', () => {
    const divs = `<html><body>${'<div><span>'.repeat(100_000)}<p>We read your contacts.</p></body></html>`;
    expect(types(read(write('nested-100000.html', divs)))).toEqual(['contacts']);
    const tables = `<html><body>${'<table><tr><td>'.repeat(1000)}We collect your location.${'</td></tr></table>'.repeat(1000)}</body></html>`;
    expect(types(read(write('nested-tables.html', tables)))).toEqual(['location']);
  });

  it('reads an SDK table placed after 600 KB of prose', () => {
    const section = (i: number) =>
      `<h2>Section ${i}</h2><p>We collect your approximate location to show local forecasts in region ${i}.</p><ul><li>Device model and OS version.</li></ul>\n`;
    const table =
      '<table><tr><th>SDK name</th><th>Company</th><th>Purpose</th><th>Data collected</th></tr>' +
      '<tr><td>Firebase Analytics</td><td>Google LLC</td><td>analytics</td><td>advertising ID</td></tr></table>';
    const sections = Array.from({ length: 4_000 }, (_, i) => section(i)).join('');
    const decl = read(write('large.html', `<html><body>${sections}${table}<p>We read your contacts.</p></body></html>`));
    expect(types(decl)).toEqual(expect.arrayContaining(['advertising-id', 'contacts', 'location']));
    expect(decl.sdks.find((s) => s.evidence.source === 'sdk-table')?.name).toBe('Firebase Analytics');
  });
});
